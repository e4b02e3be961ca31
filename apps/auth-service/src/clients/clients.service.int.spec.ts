import { ConfigError, ErrorCode, ManualClock, sha256Hex } from '@keycard/common';
import { codeOf } from '@keycard/testing';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import { RECORDER_ENTITIES, testRecorders } from '../testing/test-recorders';
import { ClientsService } from './clients.service';
import { OAuthClientEntity } from './oauth-client.entity';

const SECRET_A = 'first-bootstrap-secret';
const SECRET_B = 'second-bootstrap-secret';

describe.each(databaseBackends())('ClientsService on $name', (backend) => {
  let db: OpenDatabase;
  let clock: ManualClock;
  let clients: ClientsService;

  beforeAll(async () => {
    db = await backend.open([OAuthClientEntity, ...RECORDER_ENTITIES]);
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.dataSource.getRepository(OAuthClientEntity).clear();
    clock = new ManualClock(Date.UTC(2026, 5, 1));
    clients = service('');
  });

  function service(bootstrapClients: string, clientCacheTtl = 5): ClientsService {
    return new ClientsService(
      db.dataSource.getRepository(OAuthClientEntity),
      { bootstrapClients, clientCacheTtl },
      clock,
      testRecorders(db.dataSource, clock).revocations,
    );
  }

  function row(clientId: string): Promise<OAuthClientEntity | null> {
    return db.dataSource.getRepository(OAuthClientEntity).findOneBy({ clientId });
  }

  it('creates a client with a generated id and secret, storing only the SHA-256 of the secret', async () => {
    const created = await clients.create({
      name: 'Billing',
      scopes: ['documents:read', 'documents:read', 'reports'],
    });
    expect(created.clientId).toMatch(/^svc_[A-Za-z0-9_-]{22}$/);
    expect(created.clientSecret).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    expect(created.scopes).toEqual(['documents:read', 'reports']);
    const stored = await row(created.clientId);
    expect(stored?.secretHash).toBe(sha256Hex(created.clientSecret));
    expect(JSON.stringify(stored)).not.toContain(created.clientSecret.slice(3));
    expect(stored?.createdAt).toBe(clock.now());
  });

  it('authenticates the right secret only, and refuses unknown and revoked clients', async () => {
    const { clientId, clientSecret } = await clients.create({ name: 'Billing', scopes: [] });
    expect((await clients.authenticate(clientId, clientSecret))?.clientId).toBe(clientId);
    expect(await clients.authenticate(clientId, `${clientSecret}x`)).toBeNull();
    expect(await clients.authenticate(clientId, '')).toBeNull();
    expect(await clients.authenticate('svc_unknown', clientSecret)).toBeNull();
    expect(await clients.authenticate('bad id with spaces', clientSecret)).toBeNull();
    await clients.revoke(clientId);
    expect(await clients.authenticate(clientId, clientSecret)).toBeNull();
    expect(await clients.findActive(clientId)).toBeNull();
  });

  it('reuses a client row for CLIENT_CACHE_TTL: its own changes apply at once, other instances within the TTL', async () => {
    const other = service('');
    const { clientId, clientSecret } = await clients.create({ name: 'Billing', scopes: ['a'] });
    expect(await other.authenticate(clientId, clientSecret)).not.toBeNull();
    await clients.revoke(clientId);
    expect(await clients.authenticate(clientId, clientSecret)).toBeNull();
    // The other instance read the row before the revocation: it keeps it until the TTL ends.
    expect(await other.authenticate(clientId, clientSecret)).not.toBeNull();
    expect(await other.authenticate(clientId, `${clientSecret}x`)).toBeNull();
    clock.advance(4_999);
    expect(await other.findActive(clientId)).not.toBeNull();
    clock.advance(1);
    expect(await other.authenticate(clientId, clientSecret)).toBeNull();
    expect(await other.findActive(clientId)).toBeNull();
  });

  it('caches no unknown id, and reads the row every time with CLIENT_CACHE_TTL=0', async () => {
    const other = service('', 0);
    expect(await other.authenticate('fresh-client', SECRET_A)).toBeNull();
    await clients.create({
      name: 'Fresh',
      scopes: [],
      clientId: 'fresh-client',
      clientSecret: SECRET_A,
    });
    expect(await other.authenticate('fresh-client', SECRET_A)).not.toBeNull();
    await clients.revoke('fresh-client');
    expect(await other.authenticate('fresh-client', SECRET_A)).toBeNull();
  });

  it('drops its cached row when BOOTSTRAP_CLIENTS changes the secret', async () => {
    await clients.ensureBootstrapClients(`svc:${SECRET_A}`);
    expect(await clients.authenticate('svc', SECRET_A)).not.toBeNull();
    await clients.ensureBootstrapClients(`svc:${SECRET_B}`);
    expect(await clients.authenticate('svc', SECRET_A)).toBeNull();
    expect(await clients.authenticate('svc', SECRET_B)).not.toBeNull();
  });

  it('refuses a taken id with 409 and bad input with a validation error', async () => {
    await clients.create({ name: 'A', scopes: [], clientId: 'fixed-id', clientSecret: SECRET_A });
    expect(await codeOf(clients.create({ name: 'B', scopes: [], clientId: 'fixed-id' }))).toBe(
      ErrorCode.Conflict,
    );
    expect(await codeOf(clients.create({ name: '  ', scopes: [] }))).toBe(
      ErrorCode.ValidationFailed,
    );
    expect(await codeOf(clients.create({ name: 'x', scopes: ['has space'] }))).toBe(
      ErrorCode.ValidationFailed,
    );
    expect(await codeOf(clients.create({ name: 'x', scopes: [], clientId: 'a:b' }))).toBe(
      ErrorCode.ValidationFailed,
    );
  });

  it('lists clients without secrets and revokes idempotently; 404 for an unknown id', async () => {
    const a = await clients.create({ name: 'A', scopes: ['x'] });
    clock.advance(1000);
    const b = await clients.create({ name: 'B', scopes: [] });
    await clients.revoke(b.clientId);
    await clients.revoke(b.clientId);
    const listed = await clients.list();
    expect(listed.map((client) => client.clientId)).toEqual([a.clientId, b.clientId]);
    expect(listed[1]).toEqual({
      clientId: b.clientId,
      name: 'B',
      type: 'service',
      scopes: [],
      redirectUris: [],
      postLogoutRedirectUris: [],
      firstParty: false,
      backchannelLogoutUri: null,
      createdAt: new Date(clock.now()).toISOString(),
      revokedAt: new Date(clock.now()).toISOString(),
    });
    expect(JSON.stringify(listed)).not.toMatch(/secret|cs_/i);
    expect(await codeOf(clients.revoke('svc_nobody'))).toBe(ErrorCode.NotFound);
  });

  it('registers BOOTSTRAP_CLIENTS on module init, idempotently', async () => {
    const raw = `resource-service:${SECRET_A}:documents:read, batch:${SECRET_B}`;
    await service(raw).onModuleInit();
    await service(raw).onModuleInit();
    expect((await clients.authenticate('resource-service', SECRET_A))?.scopes).toEqual([
      'documents:read',
    ]);
    expect((await clients.authenticate('batch', SECRET_B))?.scopes).toEqual([]);
    expect(await db.dataSource.getRepository(OAuthClientEntity).count()).toBe(2);
  });

  it('updates the secret and scopes of a listed client: the variable is the source of truth', async () => {
    await clients.ensureBootstrapClients(`svc:${SECRET_A}:a`);
    const before = await row('svc');
    await clients.ensureBootstrapClients(`svc:${SECRET_B}:a b`);
    expect(await clients.authenticate('svc', SECRET_A)).toBeNull();
    expect((await clients.authenticate('svc', SECRET_B))?.scopes).toEqual(['a', 'b']);
    expect((await row('svc'))?.createdAt).toBe(before?.createdAt);
  });

  it('keeps a revoked bootstrap client revoked until its secret changes', async () => {
    await clients.ensureBootstrapClients(`svc:${SECRET_A}`);
    await clients.revoke('svc');
    await clients.ensureBootstrapClients(`svc:${SECRET_A}`);
    expect(await clients.authenticate('svc', SECRET_A)).toBeNull();
    await clients.ensureBootstrapClients(`svc:${SECRET_B}`);
    expect(await clients.authenticate('svc', SECRET_B)).not.toBeNull();
  });

  it('is safe when several instances bootstrap at once', async () => {
    const raw = `one:${SECRET_A}:x,two:${SECRET_B}:y`;
    await Promise.all(Array.from({ length: 6 }, () => service(raw).ensureBootstrapClients(raw)));
    expect(await db.dataSource.getRepository(OAuthClientEntity).count()).toBe(2);
    expect(await clients.authenticate('one', SECRET_A)).not.toBeNull();
    expect(await clients.authenticate('two', SECRET_B)).not.toBeNull();
  });

  it('writes nothing when any entry is malformed', async () => {
    await expect(clients.ensureBootstrapClients(`good:${SECRET_A},bad`)).rejects.toBeInstanceOf(
      ConfigError,
    );
    expect(await db.dataSource.getRepository(OAuthClientEntity).count()).toBe(0);
  });

  if (backend.name === 'postgres') {
    it('has a migration matching the entity', async () => {
      const pending = await db.dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    });
  }
});
