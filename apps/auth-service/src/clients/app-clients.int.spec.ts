import { ErrorCode, ManualClock } from '@keycard/common';
import { codeOf } from '@keycard/testing';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import { RECORDER_ENTITIES, testRecorders } from '../testing/test-recorders';
import { ClientsService } from './clients.service';
import { OAuthClientEntity } from './oauth-client.entity';

const APP = {
  name: 'Notes',
  scopes: ['documents:read'],
  redirectUris: ['https://notes.example/callback'],
};

describe.each(databaseBackends())('App clients (section 5) on $name', (backend) => {
  let db: OpenDatabase;
  let clients: ClientsService;

  beforeAll(async () => {
    db = await backend.open([OAuthClientEntity, ...RECORDER_ENTITIES]);
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.dataSource.getRepository(OAuthClientEntity).clear();
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    clients = new ClientsService(
      db.dataSource.getRepository(OAuthClientEntity),
      { bootstrapClients: '', clientCacheTtl: 5 },
      clock,
      testRecorders(db.dataSource, clock).revocations,
    );
  });

  it('gives a web client a secret that authenticates, shown once', async () => {
    const web = await clients.register({ ...APP, type: 'web', firstParty: true });
    expect(web).toMatchObject({ type: 'web', firstParty: true, redirectUris: APP.redirectUris });
    expect(web.clientSecret).toMatch(/^cs_/);
    expect(await clients.authenticate(web.clientId, web.clientSecret ?? '')).not.toBeNull();
    expect(JSON.stringify(await clients.list())).not.toContain('cs_');
  });

  it.each(['spa', 'native'] as const)(
    'gives a %s client no secret, and nothing authenticates it with one',
    async (type) => {
      const app = await clients.register({ ...APP, type, redirectUris: ['http://127.0.0.1/cb'] });
      expect(app.clientSecret).toBeUndefined();
      const stored = await db.dataSource
        .getRepository(OAuthClientEntity)
        .findOneByOrFail({ clientId: app.clientId });
      expect(await clients.authenticate(app.clientId, stored.secretHash)).toBeNull();
      expect(await codeOf(clients.rotateSecret(app.clientId))).toBe(ErrorCode.ValidationFailed);
    },
  );

  it('rotates a web secret: the old one stops working', async () => {
    const web = await clients.register({ ...APP, type: 'web' });
    const rotated = await clients.rotateSecret(web.clientId);
    expect(await clients.authenticate(web.clientId, web.clientSecret ?? '')).toBeNull();
    expect(await clients.authenticate(web.clientId, rotated.clientSecret)).not.toBeNull();
  });

  it.each([
    ['a fragment', 'https://notes.example/cb#x'],
    ['plain http on a public host', 'http://notes.example/cb'],
    ['a relative URL', '/callback'],
    ['another scheme', 'javascript:alert(1)'],
    ['credentials', 'https://user:pw@notes.example/cb'],
    ['a non-normal form', 'https://NOTES.example/cb'],
  ])('refuses a redirect URI with %s', async (_case, uri) => {
    expect(await codeOf(clients.register({ ...APP, type: 'web', redirectUris: [uri] }))).toBe(
      ErrorCode.ValidationFailed,
    );
  });

  it('refuses an app without redirect URIs and a service with them', async () => {
    expect(await codeOf(clients.register({ ...APP, type: 'spa', redirectUris: [] }))).toBe(
      ErrorCode.ValidationFailed,
    );
    expect(await codeOf(clients.register({ ...APP, type: 'service' }))).toBe(
      ErrorCode.ValidationFailed,
    );
  });

  it('changes only the fields sent, never the type, and checks the result', async () => {
    const spa = await clients.register({ ...APP, type: 'spa' });
    const updated = await clients.update(spa.clientId, {
      postLogoutRedirectUris: ['https://notes.example/'],
    });
    expect(updated).toMatchObject({ name: 'Notes', redirectUris: APP.redirectUris });
    expect(updated.postLogoutRedirectUris).toEqual(['https://notes.example/']);
    expect(await codeOf(clients.update(spa.clientId, { type: 'web' }))).toBe(
      ErrorCode.ValidationFailed,
    );
    expect(
      await codeOf(clients.update(spa.clientId, { redirectUris: ['http://x.example/'] })),
    ).toBe(ErrorCode.ValidationFailed);
    expect(await codeOf(clients.update('nobody', { name: 'x' }))).toBe(ErrorCode.NotFound);
    const row = await clients.findActive(spa.clientId);
    expect(row?.postLogoutRedirectUris).toEqual(['https://notes.example/']);
  });
});
