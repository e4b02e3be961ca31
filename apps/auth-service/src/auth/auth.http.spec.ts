import { statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { RunningAuthService } from '../oauth/oauth.test-kit';
import { BOOT_TIMEOUT_MS, startAuthService } from '../oauth/oauth.test-kit';

/* Bad input at the JSON auth API (and the JSON body of /oauth/token), over plain HTTP. */

const SERVICE = { id: 'bad-input-service', secret: 'bad-input-service-secret-0123' };
const USER = { email: 'bad-input@example.test', password: 'user-password-1' };

const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const TOO_DEEP = {
  statusCode: 400,
  error: 'validation_failed',
  message: 'JSON nested deeper than 32 levels',
};

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

describe('the auth-service over HTTP: bad input refused, private files', () => {
  let service: RunningAuthService;
  let tokens: Tokens;
  const http = () => request(service.issuer);
  const postJson = (path: string, body: string) =>
    http().post(path).set('Content-Type', 'application/json').send(body);

  beforeAll(async () => {
    service = await startAuthService({ BOOTSTRAP_CLIENTS: `${SERVICE.id}:${SERVICE.secret}` });
    await http().post('/auth/register').send(USER).expect(201);
    tokens = (await http().post('/auth/login').send(USER).expect(200)).body as Tokens;
  }, BOOT_TIMEOUT_MS);
  afterAll(() => service?.close());

  describe('JSON nested too deeply', () => {
    const routes = [
      '/auth/register',
      '/auth/login',
      '/auth/refresh',
      '/auth/logout',
      '/oauth/token',
    ];

    it.each<[string, string]>([
      ['5,000 levels of [', arrays(5000)],
      ['5,000 levels of {"a":', objects(5000)],
      ['a field nested 5,000 deep', `{"email":${arrays(4999)}}`],
      ['33 levels', arrays(33)],
      ['a field nested 33 deep', `{"refreshToken":${arrays(32)}}`],
    ])('%s is a 400 validation_failed at every JSON route', async (_name, body) => {
      const answers = [];
      for (const route of routes) {
        const response = await postJson(route, body);
        answers.push({ route, status: response.status, body: response.body as unknown });
      }
      expect(answers).toEqual(routes.map((route) => ({ route, status: 400, body: TOO_DEEP })));
    });

    it('lets a body nested 32 deep through to the route (here a grant that ignores the extra field)', async () => {
      const body = JSON.stringify({
        grant_type: 'client_credentials',
        client_id: SERVICE.id,
        client_secret: SERVICE.secret,
      }).replace(/}$/, `,"extra":${arrays(31)}}`);
      await postJson('/oauth/token', body).expect(200);
      const deeper = body.replace(arrays(31), arrays(32));
      expect((await postJson('/oauth/token', deeper).expect(400)).body).toEqual(TOO_DEEP);
    });
  });

  describe('refresh tokens that are not live refresh tokens', () => {
    /** Strings that could never be a live refresh token (the access token is added at run time). */
    const notRefreshTokens: [string, (t: Tokens) => string][] = [
      ['an access token', (t) => t.accessToken],
      ['a 10 kB token', () => `rt_${'A'.repeat(10_000)}`],
      ['a 513-character token', () => 'x'.repeat(513)],
      ['a malformed token', () => 'rt_nope'],
      ['an unknown well-formed token of the older form', () => `rt_${'C'.repeat(43)}`],
      ['an unknown well-formed token naming a row', () => `rt_${'C'.repeat(65)}`],
      [
        "a live token's row named with another secret",
        (t) => `${t.refreshToken.slice(0, 25)}${'D'.repeat(43)}`,
      ],
      ['an empty string', () => ''],
      ['a live token with a NUL byte appended', (t) => `${t.refreshToken}\u0000`],
    ];

    it.each(notRefreshTokens)('POST /auth/refresh with %s is a 401', async (_name, pick) => {
      const response = await http()
        .post('/auth/refresh')
        .send({ refreshToken: pick(tokens) });
      expect({ status: response.status, error: response.body.error }).toEqual({
        status: 401,
        error: 'invalid_token',
      });
    });

    it.each(notRefreshTokens)('POST /auth/logout with %s is a 204', async (_name, pick) => {
      await http()
        .post('/auth/logout')
        .send({ refreshToken: pick(tokens) })
        .expect(204);
    });

    // An empty parameter counts as omitted there (RFC 6749 §3.1): invalid_request, tested in oauth.http.spec.ts.
    it.each(notRefreshTokens.filter(([name]) => name !== 'an empty string'))(
      'POST /oauth/token grant_type=refresh_token with %s is a 400 invalid_grant',
      async (_name, pick) => {
        const response = await http()
          .post('/oauth/token')
          .type('form')
          .send({ grant_type: 'refresh_token', refresh_token: pick(tokens) });
        expect({ status: response.status, error: response.body.error }).toEqual({
          status: 400,
          error: 'invalid_grant',
        });
      },
    );

    it.each<[string, unknown]>([
      ['a missing refreshToken', {}],
      ['a numeric refreshToken', { refreshToken: 42 }],
      ['an object refreshToken', { refreshToken: { $ne: null } }],
      ['an array body', ['rt_x']],
      ['an unknown field', { refreshToken: 'rt_x', extra: 1 }],
    ])(
      '%s is still a 400 validation_failed (the body, not the token, is wrong)',
      async (_name, body) => {
        for (const route of ['/auth/refresh', '/auth/logout']) {
          const response = await http()
            .post(route)
            .send(body as object);
          expect({ route, status: response.status, error: response.body.error }).toEqual({
            route,
            status: 400,
            error: 'validation_failed',
          });
        }
      },
    );

    it('still refreshes with the live refresh token after all of that', async () => {
      const response = await http()
        .post('/auth/refresh')
        .send({ refreshToken: tokens.refreshToken });
      expect(response.status).toBe(200);
    });
  });

  it('keeps DATA_DIR and auth.sqlite owner only (0700 and 0600: password hashes, private keys)', () => {
    const { dataDir } = service.config;
    const modes = ['', 'auth.sqlite', 'auth.sqlite-wal', 'auth.sqlite-shm'].map((file) => [
      file,
      statSync(join(dataDir, file)).mode & 0o777,
    ]);
    expect(modes).toEqual([
      ['', 0o700],
      ['auth.sqlite', 0o600],
      ['auth.sqlite-wal', 0o600],
      ['auth.sqlite-shm', 0o600],
    ]);
  });
});
