import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { KeycardAuthModule } from '@keycard/auth';
import { ManualClock } from '@keycard/common';
import { makeTestKeyPair, mintAccessToken } from '@keycard/testing';
import { ClientsService } from '../clients/clients.service';
import { OAuthClientEntity } from '../clients/oauth-client.entity';
import { createTestApp } from '../testing/test-app';
import { testAuthConfig } from '../testing/test-config';
import { TestGlobalsModule } from '../testing/test-globals';
import { RECORDER_ENTITIES, TestRecordersModule } from '../testing/test-recorders';
import { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { ApiKeyIntrospectionService } from './api-key-introspection.service';
import { ApiKeyUsageEntity } from './api-key-usage.entity';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysModule } from './api-keys.module';
import { USAGE_REPORT_SCOPE } from './service-client.guard';

const config = testAuthConfig();
const signingKey = makeTestKeyPair('api-keys-http');
// The guard checks `exp` against the real time, so this clock starts at it.
const clock = new ManualClock(Date.now());

/** A bearer token as the auth-service would mint it (`client` makes it a client-credentials token). */
function token(sub: string, roles: string[] = ['user'], client?: string): string {
  const extra = client ? { client_id: client } : { sid: randomUUID() };
  const claims = { iss: config.issuer, aud: config.audience, sub, roles, ...extra };
  return mintAccessToken(signingKey, claims, { now: clock.now() });
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

describe('API keys over HTTP', () => {
  let app: INestApplication;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TestGlobalsModule.with(config, clock),
        TestRecordersModule.forRoot(),
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: ':memory:',
          entities: [
            ApiKeyEntity,
            ApiKeyUsageEntity,
            UserEntity,
            OAuthClientEntity,
            ...RECORDER_ENTITIES,
          ],
          synchronize: true,
        }),
        KeycardAuthModule.forRootAsync({
          useFactory: () => ({
            issuer: config.issuer,
            audience: config.audience,
            tokenCacheMaxEntries: 0,
            keyResolver: {
              getKey: async (kid: string) =>
                kid === signingKey.kid ? signingKey.publicKey : undefined,
            },
          }),
        }),
        ApiKeysModule,
      ],
    }).compile();
    app = await createTestApp(moduleRef, config);
    const users = app.get(UsersService);
    alice = (await users.create({ email: 'alice@example.test' })).id;
    bob = (await users.create({ email: 'bob@example.test' })).id;
    await app.get(ClientsService).create({
      name: 'resource',
      scopes: [USAGE_REPORT_SCOPE],
      clientId: 'resource',
      clientSecret: 'resource-secret',
    });
    // Any registered client may introspect, but this one was not granted usage reports.
    await app.get(ClientsService).create({
      name: 'other service',
      scopes: ['documents:read', 'usage:read', 'introspect'],
      clientId: 'other',
      clientSecret: 'other-secret',
    });
  });
  afterAll(() => app.close());

  const as = (user: string) => ({ Authorization: `Bearer ${token(user)}` });

  async function createKey(user: string, body: Record<string, unknown> = { name: 'ci' }) {
    const response = await request(app.getHttpServer())
      .post('/api-keys')
      .set(as(user))
      .send(body)
      .expect(201);
    return response.body as { id: string; key: string; prefix: string };
  }

  it('requires a signed-in user: 401 without credentials, 403 for a client token', async () => {
    const server = app.getHttpServer();
    await request(server).get('/api-keys').expect(401);
    await request(server).post('/api-keys').send({ name: 'x' }).expect(401);
    const clientToken = token('resource', [], 'resource');
    await request(server)
      .get('/api-keys')
      .set('Authorization', `Bearer ${clientToken}`)
      .expect(403);
    await request(server)
      .post('/api-keys')
      .set('Authorization', `Bearer ${clientToken}`)
      .send({ name: 'x' })
      .expect(403);
  });

  it('creates, lists, rotates, shows usage of and revokes a key', async () => {
    const server = app.getHttpServer();
    const created = await createKey(alice, {
      name: 'ci',
      scopes: ['documents:read'],
      rateLimit: 100,
    });
    expect(created).toMatchObject({
      name: 'ci',
      type: 'sk',
      environment: 'live',
      scopes: ['documents:read'],
      rateLimit: 100,
    });
    const list = await request(server).get('/api-keys').set(as(alice)).expect(200);
    expect(list.body).toEqual([
      expect.objectContaining({ id: created.id, prefix: created.prefix, status: 'active' }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(created.key.slice(12));
    const rotated = await request(server)
      .post(`/api-keys/${created.id}/rotate`)
      .set(as(alice))
      .send({ graceSeconds: 60 })
      .expect(201);
    expect(rotated.body.key).toMatch(/^sk_live_/);
    await request(server)
      .get(`/api-keys/${created.id}/usage`)
      .set(as(alice))
      .expect(200, { id: created.id, days: [] });
    await request(server).delete(`/api-keys/${rotated.body.id}`).set(as(alice)).expect(204);
    expect(await app.get(ApiKeyIntrospectionService).introspect(rotated.body.key)).toBeNull();
  });

  it.each([
    ['an unknown field', { name: 'x', admin: true }],
    ['a bad type', { name: 'x', type: 'rk' }],
    ['a bad environment', { name: 'x', environment: 'prod' }],
    ['no name', {}],
    ['an expiry in the past', { name: 'x', expiresAt: '2020-01-01T00:00:00Z' }],
    ['a malformed expiry', { name: 'x', expiresAt: 'tomorrow' }],
    ['a write scope on a publishable key', { name: 'x', type: 'pk', scopes: ['documents:write'] }],
    ['an unknown scope', { name: 'x', scopes: ['everything'] }],
    ['a rate limit of 0', { name: 'x', rateLimit: 0 }],
    ['a fractional rate limit', { name: 'x', rateLimit: 1.5 }],
  ])('answers 400 to a create with %s', async (_label, body) => {
    await request(app.getHttpServer()).post('/api-keys').set(as(alice)).send(body).expect(400);
  });

  it("answers 404 for another user's key or a malformed id, and 400 for a bad grace", async () => {
    const server = app.getHttpServer();
    const { id } = await createKey(alice);
    await request(server).post(`/api-keys/${id}/rotate`).set(as(bob)).send({}).expect(404);
    await request(server).delete(`/api-keys/${id}`).set(as(bob)).expect(404);
    await request(server).get(`/api-keys/${id}/usage`).set(as(bob)).expect(404);
    await request(server).delete('/api-keys/not-a-uuid').set(as(alice)).expect(404);
    await request(server)
      .post(`/api-keys/${id}/rotate`)
      .set(as(alice))
      .send({ graceSeconds: -1 })
      .expect(400);
    await request(server)
      .post(`/api-keys/${id}/rotate`)
      .set(as(alice))
      .send({ graceSeconds: 31 * 86_400 })
      .expect(400);
  });

  /** The clock's UTC day and time: a key made now can only have been used from now on. */
  const today = () => new Date(clock.now()).toISOString().slice(0, 10);
  const nowIso = () => new Date(clock.now()).toISOString();

  it('takes usage reports from registered clients with usage:report only (HTTP Basic)', async () => {
    const server = app.getHttpServer();
    const { id } = await createKey(alice);
    const reports = [{ keyId: id, day: today(), count: 7, lastUsedAt: nowIso() }];
    const noAuth = await request(server)
      .post('/api-keys/usage-reports')
      .send({ reports })
      .expect(401);
    expect(noAuth.headers['www-authenticate']).toMatch(/^Basic/);
    await request(server)
      .post('/api-keys/usage-reports')
      .set('Authorization', basic('resource', 'wrong'))
      .send({ reports })
      .expect(401);
    await request(server)
      .post('/api-keys/usage-reports')
      .set(as(alice))
      .send({ reports })
      .expect(401);
    await request(server)
      .post('/api-keys/usage-reports')
      .set('Authorization', basic('resource', 'resource-secret'))
      .send({ reports })
      .expect(204);
    const usage = await request(server).get(`/api-keys/${id}/usage`).set(as(alice)).expect(200);
    expect(usage.body.days).toEqual([{ day: today(), count: 7 }]);
    const listed = await request(server).get('/api-keys').set(as(alice)).expect(200);
    expect(listed.body.find((view: { id: string }) => view.id === id).lastUsedAt).toBe(
      reports[0].lastUsedAt,
    );
  });

  // Issue 14, finding 6: any registered client could add 199,999,999 requests to anyone's key.
  it('refuses usage reports (403 insufficient_scope) from a client without usage:report', async () => {
    const server = app.getHttpServer();
    const { id } = await createKey(bob);
    const forged = [{ keyId: id, day: today(), count: 199_999_999, lastUsedAt: nowIso() }];
    const refused = await request(server)
      .post('/api-keys/usage-reports')
      .set('Authorization', basic('other', 'other-secret'))
      .send({ reports: forged })
      .expect(403);
    expect(refused.body.error).toBe('insufficient_scope');
    const usage = await request(server).get(`/api-keys/${id}/usage`).set(as(bob)).expect(200);
    expect(usage.body.days).toEqual([]);
  });

  it("clamps a report's count to what the key's rate limit allows so far today", async () => {
    const server = app.getHttpServer();
    const { id } = await createKey(bob, { name: 'slow', rateLimit: 3 });
    const line = { keyId: id, day: today(), count: 199_999_999, lastUsedAt: nowIso() };
    for (let i = 0; i < 3; i++) {
      await request(server)
        .post('/api-keys/usage-reports')
        .set('Authorization', basic('resource', 'resource-secret'))
        .send({ reports: [line] })
        .expect(204);
    }
    const usage = await request(server).get(`/api-keys/${id}/usage`).set(as(bob)).expect(200);
    // Made just now: at most the 5 minutes of allowed clock skew on each side, plus one window.
    expect(usage.body.days).toHaveLength(1);
    expect(usage.body.days[0].count).toBeGreaterThan(0);
    expect(usage.body.days[0].count).toBeLessThanOrEqual((10 + 1) * 3);
  });

  it.each([
    ['an impossible day', { day: '2026-02-30' }],
    ['a day with a time', { day: '2026-06-01T00:00:00Z' }],
    ['a negative count', { count: -1 }],
    ['a bad key id', { keyId: 'abc' }],
    ['a bad lastUsedAt', { lastUsedAt: 'yesterday' }],
  ])('answers 400 to a usage report with %s', async (_label, change) => {
    const line = {
      keyId: randomUUID(),
      day: '2026-06-01',
      count: 1,
      lastUsedAt: '2026-06-01T00:00:00Z',
      ...change,
    };
    await request(app.getHttpServer())
      .post('/api-keys/usage-reports')
      .set('Authorization', basic('resource', 'resource-secret'))
      .send({ reports: [line] })
      .expect(400);
  });
});
