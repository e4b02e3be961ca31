import { createHash } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { GoogleGrantEntity } from './google-grant.entity';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import { setCookieFor, squash, startSessionApp } from '../sessions/sessions.test-kit';
import type { MockGoogle } from './google.test-kit';
import {
  authorize,
  callback,
  CLIENT_ID,
  googleEnv,
  googleSignIn,
  startGoogle,
  startMockGoogle,
} from './google.test-kit';

/** Rewrites the returnTo of a stored transaction, as an older release (or a bug) might have left it. */
async function storeReturnToIn(t: SessionTestApp, state: string, returnTo: string): Promise<void> {
  const grants = t.app.get(DataSource).getRepository(GoogleGrantEntity);
  const keyHash = createHash('sha256').update(state).digest('hex');
  const grant = await grants.findOneByOrFail({ keyHash });
  await grants.update({ keyHash }, { payload: { ...grant.payload, returnTo } });
}

describe('Sign in with Google: refusals (against a local OpenID provider)', () => {
  let mock: MockGoogle;
  let t: SessionTestApp;
  let counter = 0;

  beforeAll(async () => {
    mock = await startMockGoogle();
    t = await startSessionApp(googleEnv(mock));
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await mock?.stop();
  });

  const storeReturnTo = (state: string, returnTo: string) => storeReturnToIn(t, state, returnTo);

  beforeEach(() => {
    counter += 1;
    mock.account = {
      sub: `sec-${counter}-${Date.now()}`,
      email: `sec-${counter}-${Date.now()}@example.test`,
      email_verified: true,
    };
  });

  it('redirects to the provider with code, PKCE S256, nonce and a state bound to an HttpOnly Lax cookie', async () => {
    const { location, stateCookie, stateCookieLine } = await startGoogle(t);
    expect(`${location.origin}${location.pathname}`).toBe(`${mock.url}/authorize`);
    const params = Object.fromEntries(location.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: 'http://localhost:3000/auth/google/callback',
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    expect(params['state']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params['nonce']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params['code_challenge']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stateCookie).toBe(`keycard.google=${params['state']}`);
    expect(stateCookieLine).toMatch(
      /; Max-Age=600; Path=\/auth\/google; Expires=.*; HttpOnly; SameSite=Lax$/,
    );
    const again = await startGoogle(t);
    expect(again.location.searchParams.get('state')).not.toBe(params['state']);
    expect(again.location.searchParams.get('code_challenge')).not.toBe(params['code_challenge']);
  });

  it('refuses a callback without state, with a state of another browser, or without the cookie (403 page)', async () => {
    const mine = await startGoogle(t);
    const other = await startGoogle(t);
    const callbackUrl = await authorize(mine.location);
    const withoutState = new URL(callbackUrl);
    withoutState.searchParams.delete('state');
    for (const [url, cookie] of [
      [withoutState, mine.stateCookie],
      [callbackUrl, other.stateCookie],
      [callbackUrl, undefined],
    ] as const) {
      const response = await callback(t, url, cookie).expect(403);
      expect(response.headers['content-type']).toContain('text/html');
      expect(squash(response.text)).toContain('This sign-in has expired');
      expect(setCookieFor(response)).toBeUndefined();
    }
  });

  it('accepts a callback once: a replay with the same cookie and code gets 403', async () => {
    const { response, callbackUrl, stateCookie } = await googleSignIn(t);
    expect(response.status).toBe(303);
    const replay = await callback(t, callbackUrl, stateCookie).expect(403);
    expect(setCookieFor(replay)).toBeUndefined();
  });

  it('shows a clear page when the user denies consent', async () => {
    const { location, stateCookie } = await startGoogle(t);
    const url = new URL('http://localhost:3000/auth/google/callback');
    url.searchParams.set('state', location.searchParams.get('state') ?? '');
    url.searchParams.set('error', 'access_denied');
    const response = await callback(t, url, stateCookie).expect(403);
    expect(squash(response.text)).toContain('Google sign-in was cancelled');
  });

  it.each([
    ['a wrong nonce', (p: Record<string, unknown>) => (p['nonce'] = 'not-the-nonce')],
    ['no nonce', (p: Record<string, unknown>) => delete p['nonce']],
    ['a wrong audience', (p: Record<string, unknown>) => (p['aud'] = 'someone-else')],
    ['a wrong issuer', (p: Record<string, unknown>) => (p['iss'] = 'https://evil.example')],
    [
      'an expired token',
      (p: Record<string, unknown>) => (p['exp'] = Math.floor(Date.now() / 1000) - 120),
    ],
    ['another subject than userinfo', (p: Record<string, unknown>) => (p['sub'] = 'someone-else')],
  ])('refuses an ID token with %s: 403 page, no user', async (_label, tamper) => {
    mock.tamperIdToken = tamper;
    const { response } = await googleSignIn(t);
    expect(response.status).toBe(403);
    expect(squash(response.text)).toContain('Google sign-in could not be verified');
    expect(setCookieFor(response)).toBeUndefined();
    expect(await t.users.findByEmail(mock.account.email ?? '')).toBeNull();
  });

  it.each([
    '//evil.com/account',
    'https://evil.com',
    'http://localhost:3000.evil.com/account',
    'javascript:alert(1)',
    '/\\evil.com',
    'https://app.example.test@evil.com/',
    'https://app.example.test.evil.com/',
    'http://localhost:5173/auth/done-not',
    ' /account',
    // Dot segments and encodings that normalise to a protocol-relative path (issue 14, finding 1).
    '/..//evil.example/phish',
    '/.//evil.example/phish',
    '/%2e%2e//evil.example/phish',
    '/%2E%2E/%2F/evil.example/phish',
    '/a/b/../../..//evil.example/phish',
    'http://localhost:3000/..//evil.example/phish',
    '/%2f%2fevil.example',
    '/%5c%5cevil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    'https://app.example.test/..//evil.example',
    'http://localhost:5173/auth/done/../../admin',
    'JaVaScRiPt:alert(1)',
    'http://[::1]/',
  ])('sends a hostile returnTo %p back to /account', async (returnTo) => {
    const { response } = await googleSignIn(t, `?returnTo=${encodeURIComponent(returnTo)}`);
    expect(response.status).toBe(303);
    expect(response.headers['location']).toBe('/account');
  });

  it('does not follow a hostile returnTo stored in a transaction (written before this rule): /account', async () => {
    const { location, stateCookie } = await startGoogle(t, '?returnTo=/account/keys');
    await storeReturnTo(location.searchParams.get('state') ?? '', '/..//evil.example/phish');
    const response = await callback(t, await authorize(location), stateCookie).expect(303);
    expect(response.headers['location']).toBe('/account');
  });

  it.each([
    ['/account?tab=keys', '/account?tab=keys'],
    ['https://app.example.test/welcome', 'https://app.example.test/welcome'],
    ['http://localhost:5173/auth/done/next', 'http://localhost:5173/auth/done/next'],
  ])('follows an allowed returnTo %p', async (returnTo, expected) => {
    const { response } = await googleSignIn(t, `?returnTo=${encodeURIComponent(returnTo)}`);
    expect(response.status).toBe(303);
    expect(response.headers['location']).toBe(expected);
  });

  it('sends the provider the PKCE verifier whose S256 hash is the code_challenge', async () => {
    const { location, stateCookie } = await startGoogle(t);
    const challenge = location.searchParams.get('code_challenge');
    let verifier: string | undefined;
    mock.server.service.once(
      'beforeResponse',
      (_response, req: { body: { code_verifier?: string } }) => {
        verifier = req.body.code_verifier;
      },
    );
    const response = await callback(t, await authorize(location), stateCookie).expect(303);
    expect(setCookieFor(response)).toBeDefined();
    expect(
      createHash('sha256')
        .update(verifier ?? '')
        .digest('base64url'),
    ).toBe(challenge);
  });
});

describe('Sign in with Google: starts per client IP (GOOGLE_START_RATE_LIMIT)', () => {
  let mock: MockGoogle;
  let t: SessionTestApp;
  const address = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join('.')}`;

  beforeAll(async () => {
    mock = await startMockGoogle();
    t = await startSessionApp(
      googleEnv(mock, { GOOGLE_START_RATE_LIMIT: '3', TRUST_PROXY: 'true' }),
    );
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await mock?.stop();
  });

  const start = (from: string) => request(t.http).get('/auth/google').set('X-Forwarded-For', from);

  it('answers 429 with Retry-After past the limit, writing no transaction, and only for that address', async () => {
    const busy = address();
    for (let i = 0; i < 3; i++) await start(busy).expect(302);
    const grants = t.app.get(DataSource).getRepository(GoogleGrantEntity);
    const before = await grants.count();
    const refused = await start(busy).expect(429);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'rate_limited' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(setCookieFor(refused)).toBeUndefined();
    expect(await grants.count()).toBe(before);
    await start(address()).expect(302);
  });

  it('lets the address start again once its minute is over', async () => {
    const busy = address();
    for (let i = 0; i < 3; i++) await start(busy).expect(302);
    await start(busy).expect(429);
    t.clock.advance(61_000);
    await start(busy).expect(302);
  });
});
