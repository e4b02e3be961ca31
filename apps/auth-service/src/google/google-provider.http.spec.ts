import request from 'supertest';
import { ConfigError } from '@keycard/common';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import { squash, startSessionApp } from '../sessions/sessions.test-kit';
import { testAuthConfig } from '../testing/test-config';
import type { MockGoogle } from './google.test-kit';
import { closedPort, CLIENT_ID, googleEnv, googleSignIn, startMockGoogle } from './google.test-kit';

// Each test here starts its own app (about a second, more on a busy machine).
jest.setTimeout(20_000);

describe('Sign in with Google: a provider that fails', () => {
  let mock: MockGoogle;

  beforeAll(async () => {
    mock = await startMockGoogle();
  }, 30_000);

  afterAll(async () => {
    await mock?.stop();
  });

  async function withApp(
    env: Record<string, string>,
    run: (t: SessionTestApp) => Promise<void>,
  ): Promise<void> {
    const t = await startSessionApp(googleEnv(mock, env));
    try {
      await run(t);
    } finally {
      await t.close();
    }
  }

  it.each([
    ['token endpoint down', 'GOOGLE_TOKEN_URL', 503, 'Google is not reachable'],
    ['userinfo endpoint down', 'GOOGLE_USERINFO_URL', 503, 'Google is not reachable'],
    ['JWKS down', 'GOOGLE_JWKS_URL', 503, 'Google is not reachable'],
  ])('%s: a clear page, never a 500', async (_label, variable, status, title) => {
    const port = await closedPort();
    await withApp({ [variable]: `http://127.0.0.1:${port}/down` }, async (t) => {
      const { response } = await googleSignIn(t);
      expect(response.status).toBe(status);
      expect(squash(response.text)).toContain(title);
    });
  });

  it('a token endpoint that rejects the code (400 invalid_grant) gives a 502 page', async () => {
    await withApp({}, async (t) => {
      mock.server.service.once(
        'beforeResponse',
        (response: { statusCode: number; body: unknown }) => {
          response.statusCode = 400;
          response.body = { error: 'invalid_grant' };
        },
      );
      const { response } = await googleSignIn(t);
      expect(response.status).toBe(502);
      expect(squash(response.text)).toContain('Google sign-in did not work');
    });
  });

  it('a token response without an access token gives a 502 page', async () => {
    await withApp({}, async (t) => {
      mock.server.service.once('beforeResponse', (response: { body: Record<string, unknown> }) => {
        delete response.body['access_token'];
      });
      const { response } = await googleSignIn(t);
      expect(response.status).toBe(502);
    });
  });

  it('gives up on a provider that does not answer after GOOGLE_HTTP_TIMEOUT', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await withApp(
        { GOOGLE_TOKEN_URL: `http://127.0.0.1:${port}/token`, GOOGLE_HTTP_TIMEOUT: '1s' },
        async (t) => {
          const { response } = await googleSignIn(t);
          expect(response.status).toBe(503);
        },
      );
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('Sign in with Google: configuration', () => {
  it('answers 404 (JSON) on every route and hides the button without GOOGLE_CLIENT_ID', async () => {
    const t = await startSessionApp();
    try {
      for (const path of [
        '/auth/google',
        '/auth/google/callback?state=x&code=y',
        '/auth/google?mode=code',
      ]) {
        const response = await request(t.http).get(path).expect(404);
        expect(response.body).toMatchObject({ statusCode: 404 });
      }
      await request(t.http)
        .post('/auth/google/exchange')
        .send({ code: 'a'.repeat(43) })
        .expect(404);
      expect((await request(t.http).get('/login').expect(200)).text).not.toContain(
        'Sign in with Google',
      );
    } finally {
      await t.close();
    }
  });

  it('stops start-up with a ConfigError naming GOOGLE_CLIENT_SECRET when only the id is set', () => {
    expect(() => testAuthConfig({ GOOGLE_CLIENT_ID: CLIENT_ID })).toThrow(ConfigError);
    expect(() => testAuthConfig({ GOOGLE_CLIENT_ID: CLIENT_ID })).toThrow(/GOOGLE_CLIENT_SECRET/);
  });

  it.each([
    ['GOOGLE_TOKEN_URL', 'not a url'],
    ['GOOGLE_RETURN_TO_ALLOWLIST', 'javascript:alert(1)'],
    ['GOOGLE_RETURN_TO_ALLOWLIST', 'https://app.example.test/?x=1'],
  ])('refuses a malformed %s', (variable, value) => {
    const env = { GOOGLE_CLIENT_ID: CLIENT_ID, GOOGLE_CLIENT_SECRET: 's', [variable]: value };
    expect(() => testAuthConfig(env)).toThrow(new RegExp(variable));
  });

  it('defaults to Google’s own endpoints and a callback on the issuer', () => {
    const config = testAuthConfig({
      GOOGLE_CLIENT_ID: CLIENT_ID,
      GOOGLE_CLIENT_SECRET: 's',
      AUTH_ISSUER: 'https://id.example.com',
    });
    expect(config.google).toMatchObject({
      callbackUrl: 'https://id.example.com/auth/google/callback',
      authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      userInfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
      jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
      issuer: 'https://accounts.google.com',
      httpTimeout: 5,
    });
  });
});
