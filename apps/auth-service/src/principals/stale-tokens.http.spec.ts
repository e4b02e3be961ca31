import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase, testBackendUrls } from '@keycard/testing';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import { createUser, PASSWORD, signIn, startSessionApp } from '../sessions/sessions.test-kit';
import { AccessTokenService } from '../tokens/access-token.service';
import type { UserEntity } from '../users/user.entity';

jest.setTimeout(60_000);

const backends = testBackendUrls();

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

type SidCase =
  | 'none'
  | 'unknown'
  | 'not a UUID'
  | 'another user’s session'
  | 'another user’s refresh family';

type Attempt = [label: string, method: 'get' | 'post' | 'patch', path: string, body?: object];

/**
 * Every access token below is minted BEFORE the change it must not outlive: the auth-service reads
 * the user, their roles and the token's login (`sid`) on each request instead of trusting claims.
 */
describe.each(backends)('stale access tokens at the auth-service (%s)', (_backend, baseUrl) => {
  let database: TestDatabase | undefined;
  let t: SessionTestApp;
  let operator: UserEntity;
  let operatorToken: string;

  async function login(user: Pick<UserEntity, 'email'>): Promise<Tokens> {
    const response = await request(t.http)
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(200);
    return response.body as Tokens;
  }

  function call(token: string, [, method, path, body]: Attempt) {
    const pending = request(t.http)[method](path).set('Authorization', `Bearer ${token}`);
    return body === undefined ? pending : pending.send(body);
  }

  async function expectRefused(token: string, attempt: Attempt): Promise<void> {
    const response = await call(token, attempt);
    expect({ attempt: attempt[0], status: response.status, error: response.body.error }).toEqual({
      attempt: attempt[0],
      status: 401,
      error: 'invalid_token',
    });
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  }

  async function patchUser(id: string, body: object): Promise<void> {
    await request(t.http)
      .patch(`/admin/users/${id}`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .send(body)
      .expect(200);
  }

  /** What a (former) admin tries with her earlier token. */
  const adminAttempts = (self: UserEntity): Attempt[] => [
    ['list users', 'get', '/admin/users'],
    ['create a service client', 'post', '/admin/clients', { name: 'backdoor', scopes: [] }],
    ['re-enable herself', 'patch', `/admin/users/${self.id}`, { disabled: false }],
    ['re-promote herself', 'patch', `/admin/users/${self.id}`, { roles: ['admin', 'user'] }],
  ];

  beforeAll(async () => {
    database = baseUrl ? await createTestPostgresDatabase(baseUrl, 'stale_tokens') : undefined;
    t = await startSessionApp(database ? { DATABASE_URL: database.url } : {});
    operator = await createUser(t, ['admin', 'user']);
    operatorToken = (await login(operator)).accessToken;
  });

  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  it('refuses a disabled admin with 401 on every admin route, and changes nothing', async () => {
    const alice = await createUser(t, ['admin', 'user']);
    const { accessToken } = await login(alice);
    await call(accessToken, adminAttempts(alice)[0]).expect(200);
    await patchUser(alice.id, { disabled: true });
    for (const attempt of adminAttempts(alice)) await expectRefused(accessToken, attempt);
    expect(await t.users.findById(alice.id)).toMatchObject({
      disabled: true,
      roles: ['admin', 'user'],
    });
    const clients = await request(t.http)
      .get('/admin/clients')
      .set('Authorization', `Bearer ${operatorToken}`)
      .expect(200);
    expect(clients.body).not.toContainEqual(expect.objectContaining({ name: 'backdoor' }));
  });

  it('answers a demoted admin 403 on admin routes, with the roles the database has now', async () => {
    const bob = await createUser(t, ['admin', 'user']);
    const { accessToken } = await login(bob);
    await patchUser(bob.id, { roles: ['user'] });
    for (const attempt of adminAttempts(bob)) {
      const response = await call(accessToken, attempt);
      expect({ attempt: attempt[0], status: response.status, error: response.body.error }).toEqual({
        attempt: attempt[0],
        status: 403,
        error: 'forbidden',
      });
    }
    await call(accessToken, ['profile', 'get', '/auth/me']).expect(200);
    expect(await t.users.findById(bob.id)).toMatchObject({ roles: ['user'] });
  });

  it('gives a promoted user the new role on her earlier token', async () => {
    const carol = await createUser(t);
    const { accessToken } = await login(carol);
    await call(accessToken, adminAttempts(carol)[0]).expect(403);
    await patchUser(carol.id, { roles: ['admin', 'user'] });
    await call(accessToken, adminAttempts(carol)[0]).expect(200);
  });

  it('refuses every earlier access token after POST /auth/logout-all (no API key is created)', async () => {
    const user = await createUser(t);
    const first = await login(user);
    const second = await login(user);
    const createKey: Attempt = ['create an API key', 'post', '/api-keys', { name: 'late' }];
    await request(t.http)
      .post('/auth/logout-all')
      .set('Authorization', `Bearer ${first.accessToken}`)
      .expect(204);
    await expectRefused(first.accessToken, createKey);
    await expectRefused(second.accessToken, createKey);
    const fresh = await login(user);
    const keys = await call(fresh.accessToken, ['list API keys', 'get', '/api-keys']).expect(200);
    expect(keys.body).toEqual([]);
  });

  it('refuses the access tokens of a family ended by POST /auth/logout, and only those', async () => {
    const user = await createUser(t);
    const ended = await login(user);
    const other = await login(user);
    await request(t.http)
      .post('/auth/logout')
      .send({ refreshToken: ended.refreshToken })
      .expect(204);
    await expectRefused(ended.accessToken, ['profile', 'get', '/auth/me']);
    await call(other.accessToken, ['profile', 'get', '/auth/me']).expect(200);
  });

  describe('tokens minted from a browser session (sid = the session)', () => {
    async function sessionToken(user: UserEntity) {
      const session = await signIn(t, user);
      const response = await request(t.http)
        .post('/session/token')
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrfToken)
        .expect(200);
      const token = (response.body as { accessToken: string }).accessToken;
      await call(token, ['profile', 'get', '/auth/me']).expect(200);
      return { session, token };
    }

    it('refuses them once the session is revoked with DELETE /sessions/:id', async () => {
      const user = await createUser(t);
      const { session, token } = await sessionToken(user);
      const kept = await sessionToken(user);
      const { accessToken } = await login(user);
      await request(t.http)
        .delete(`/sessions/${session.id}`)
        .set('Authorization', `Bearer ${accessToken}`)
        .expect(204);
      await expectRefused(token, ['profile', 'get', '/auth/me']);
      await call(kept.token, ['profile', 'get', '/auth/me']).expect(200);
    });

    it('refuses them once the session signs out (POST /session/logout)', async () => {
      const user = await createUser(t);
      const { session, token } = await sessionToken(user);
      await request(t.http)
        .post('/session/logout')
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrfToken)
        .expect(204);
      await expectRefused(token, ['list sessions', 'get', '/sessions']);
    });

    it('refuses them once the session idled out', async () => {
      const user = await createUser(t);
      const { token } = await sessionToken(user);
      t.clock.advance(t.config.sessionIdleTtl * 1000);
      try {
        await expectRefused(token, ['profile', 'get', '/auth/me']);
      } finally {
        t.clock.advance(-t.config.sessionIdleTtl * 1000);
      }
    });
  });

  /** The `sid` of a token minted for a user who holds a live login of her own. */
  async function sidOf(kind: SidCase): Promise<string | undefined> {
    const other = await createUser(t);
    switch (kind) {
      case 'none':
        return undefined;
      case 'unknown':
        return randomUUID();
      case 'not a UUID':
        return 'sid-1';
      case 'another user’s session':
        return (await signIn(t, other)).id;
      case 'another user’s refresh family': {
        const { accessToken } = await login(other);
        return (
          JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as {
            sid: string;
          }
        ).sid;
      }
    }
  }

  it.each<SidCase>([
    'none',
    'unknown',
    'not a UUID',
    'another user’s session',
    'another user’s refresh family',
  ])('refuses a user token whose sid is %s, while her own login is live', async (kind) => {
    const user = await createUser(t);
    await login(user);
    await signIn(t, user);
    const sid = await sidOf(kind);
    const { token } = await t.app
      .get(AccessTokenService)
      .issue({ sub: user.id, roles: ['admin'], scope: '', sid });
    await expectRefused(token, ['list users', 'get', '/admin/users']);
  });

  it('refuses a service client’s token once the client is revoked', async () => {
    const created = await request(t.http)
      .post('/admin/clients')
      .set('Authorization', `Bearer ${operatorToken}`)
      .send({ name: 'reporting', scopes: [] })
      .expect(201);
    const { clientId, clientSecret } = created.body as { clientId: string; clientSecret: string };
    const grant = await request(t.http)
      .post('/oauth/token')
      .auth(clientId, clientSecret)
      .type('form')
      .send({ grant_type: 'client_credentials' })
      .expect(200);
    const token = (grant.body as { access_token: string }).access_token;
    // Authenticated, but a client has no profile: 403 until the client is revoked, then 401.
    await call(token, ['profile', 'get', '/auth/me']).expect(403);
    await request(t.http)
      .delete(`/admin/clients/${clientId}`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .expect(204);
    await expectRefused(token, ['profile', 'get', '/auth/me']);
  });
});
