import type { Response } from 'supertest';
import request from 'supertest';
import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase, testBackendUrls } from '@keycard/testing';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import {
  cookiePair,
  createUser,
  PASSWORD,
  setCookieFor,
  squash,
  startSessionApp,
} from '../sessions/sessions.test-kit';
import { GoogleAccountsService } from './google-accounts.service';
import { GOOGLE_LINK_COOKIE } from './google.controller';
import type { MockGoogle } from './google.test-kit';
import { ALLOWED_APP, googleEnv, googleSignIn, startMockGoogle } from './google.test-kit';

/*
 * The linking rules of Sign in with Google (pre-account hijack), through the whole AppModule on
 * SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL with the real migrations.
 */
const backends = testBackendUrls();

describe.each(backends)('Sign in with Google: linking to existing accounts on %s', (_name, url) => {
  let mock: MockGoogle;
  let database: TestDatabase | undefined;
  let t: SessionTestApp;
  let accounts: GoogleAccountsService;
  let counter = 0;

  beforeAll(async () => {
    mock = await startMockGoogle();
    database = url ? await createTestPostgresDatabase(url, 'google_link') : undefined;
    t = await startSessionApp(googleEnv(mock, database ? { DATABASE_URL: database.url } : {}));
    accounts = t.app.get(GoogleAccountsService);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await database?.drop();
    await mock?.stop();
  });

  /** The Google account signing in now has `email` (verified by Google). */
  function googleAccountFor(email: string): void {
    counter += 1;
    mock.account = { sub: `link-${counter}-${Date.now()}`, email, email_verified: true };
  }

  /** The password step: the page (with its CSRF token) for the link cookie of a callback. */
  async function linkStep(callback: Response): Promise<{ cookies: string; csrf: string }> {
    expect(callback.status).toBe(303);
    expect(callback.headers['location']).toBe('/auth/google/link');
    expect(setCookieFor(callback)).toBeUndefined();
    const line = setCookieFor(callback, GOOGLE_LINK_COOKIE);
    expect(line).toMatch(
      /^keycard\.google\.link=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/auth\/google;.* HttpOnly; SameSite=Lax$/,
    );
    const linkCookie = cookiePair(line ?? '');
    const page = await request(t.http)
      .get('/auth/google/link')
      .set('Cookie', linkCookie)
      .expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    const csrfLine = setCookieFor(page, 'keycard.csrf');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!csrfLine || !csrf) throw new Error('the link page has no CSRF token');
    return { cookies: `${linkCookie}; ${cookiePair(csrfLine)}`, csrf };
  }

  function postPassword(
    step: { cookies: string; csrf: string },
    password: string,
    headers: Record<string, string> = {},
  ): request.Test {
    return request(t.http)
      .post('/auth/google/link')
      .set('Cookie', step.cookies)
      .set(headers)
      .type('form')
      .send({ _csrf: step.csrf, password });
  }

  async function me(sessionLine: string | undefined): Promise<Record<string, unknown>> {
    const response = await request(t.http)
      .get('/auth/me')
      .set('Cookie', cookiePair(sessionLine ?? ''))
      .expect(200);
    return response.body as Record<string, unknown>;
  }

  it('creates a new account verified, and /auth/me says so', async () => {
    const email = `new-${Date.now()}@example.test`;
    googleAccountFor(email);
    const { response } = await googleSignIn(t);
    expect(response.headers['location']).toBe('/account');
    const user = await t.users.findByEmail(email);
    expect(user).toMatchObject({ emailVerified: true, passwordHash: null });
    expect(await me(setCookieFor(response))).toMatchObject({ email, emailVerified: true });
  });

  it('links a verified account directly', async () => {
    const existing = await createUser(t);
    await t.users.markEmailVerified(existing, existing.email);
    googleAccountFor(existing.email.toUpperCase());
    const { response } = await googleSignIn(t);
    expect(response.headers['location']).toBe('/account');
    expect((await me(setCookieFor(response)))['id']).toBe(existing.id);
    expect(await accounts.listForUser(existing.id)).toEqual([
      expect.objectContaining({ provider: 'google', subject: mock.account.sub }),
    ]);
  });

  it('asks for the password of an unverified account: a wrong one links nothing, the right one links and verifies', async () => {
    const existing = await createUser(t);
    googleAccountFor(existing.email);
    const { response } = await googleSignIn(t);
    const step = await linkStep(response);
    expect(await accounts.listForUser(existing.id)).toEqual([]);
    const page = await request(t.http)
      .get('/auth/google/link')
      .set('Cookie', step.cookies)
      .expect(200);
    expect(squash(page.text)).toContain(existing.email);
    expect(squash(page.text)).toContain('action="/auth/google/link"');

    const wrong = await postPassword(step, 'not the password at all').expect(303);
    expect(wrong.headers['location']).toBe('/auth/google/link?error=invalid_credentials');
    expect(setCookieFor(wrong)).toBeUndefined();
    expect(await accounts.listForUser(existing.id)).toEqual([]);
    const again = await request(t.http)
      .get('/auth/google/link?error=invalid_credentials')
      .set('Cookie', step.cookies)
      .expect(200);
    expect(squash(again.text)).toContain('That is not the password of this account');

    const right = await postPassword(step, PASSWORD).expect(303);
    expect(right.headers['location']).toBe('/account');
    expect(setCookieFor(right, GOOGLE_LINK_COOKIE)).toMatch(
      /^keycard\.google\.link=; Path=\/auth\/google; Expires=Thu, 01 Jan 1970/,
    );
    expect(await me(setCookieFor(right))).toMatchObject({ id: existing.id, emailVerified: true });
    expect(await accounts.listForUser(existing.id)).toEqual([
      expect.objectContaining({ provider: 'google', subject: mock.account.sub }),
    ]);
    // Used up: the same cookie cannot link again.
    const replay = await postPassword(step, PASSWORD).expect(403);
    expect(squash(replay.text)).toContain('This sign-in has expired');
    // Linked now: the next Google sign-in goes straight in.
    const next = await googleSignIn(t);
    expect(next.response.headers['location']).toBe('/account');
  });

  it('throttles wrong passwords like the sign-in form (per account), then refuses even the right one', async () => {
    const existing = await createUser(t);
    googleAccountFor(existing.email);
    const step = await linkStep((await googleSignIn(t)).response);
    for (let i = 0; i < t.config.loginMaxFailures; i++) {
      const wrong = await postPassword(step, `wrong-${i}`).expect(303);
      expect(wrong.headers['location']).toBe('/auth/google/link?error=invalid_credentials');
    }
    const locked = await postPassword(step, PASSWORD).expect(303);
    expect(locked.headers['location']).toMatch(
      /^\/auth\/google\/link\?error=rate_limited&retry=\d+$/,
    );
    expect(await accounts.listForUser(existing.id)).toEqual([]);
    await request(t.http)
      .post('/session/login')
      .send({ email: existing.email, password: PASSWORD })
      .expect(429);
    t.clock.advance(t.config.loginLockout * 1000 + 1000);
  });

  it.each([
    ['no CSRF token', (step: { cookies: string; csrf: string }) => ({ ...step, csrf: '' })],
    [
      'another CSRF token',
      (step: { cookies: string; csrf: string }) => ({ ...step, csrf: 'x'.repeat(43) }),
    ],
  ])('refuses a post with %s and links nothing', async (_label, change) => {
    const existing = await createUser(t);
    googleAccountFor(existing.email);
    const step = await linkStep((await googleSignIn(t)).response);
    const refused = await postPassword(change(step), PASSWORD).expect(303);
    expect(refused.headers['location']).toBe('/auth/google/link?error=csrf');
    expect(setCookieFor(refused)).toBeUndefined();
    expect(await accounts.listForUser(existing.id)).toEqual([]);
  });

  it('refuses a post from another site', async () => {
    const existing = await createUser(t);
    googleAccountFor(existing.email);
    const step = await linkStep((await googleSignIn(t)).response);
    const refused = await postPassword(step, PASSWORD, { Origin: 'https://evil.example' });
    expect(refused.headers['location']).toBe('/auth/google/link?error=csrf');
    expect(await accounts.listForUser(existing.id)).toEqual([]);
  });

  it('answers the expired page without a pending link, and for a link cookie of another value', async () => {
    const page = await request(t.http).get('/auth/google/link').expect(403);
    expect(squash(page.text)).toContain('This sign-in has expired');
    const existing = await createUser(t);
    googleAccountFor(existing.email);
    const step = await linkStep((await googleSignIn(t)).response);
    const forged = {
      ...step,
      cookies: step.cookies.replace(
        /keycard\.google\.link=[^;]+/,
        `keycard.google.link=${'A'.repeat(43)}`,
      ),
    };
    await postPassword(forged, PASSWORD).expect(403);
    expect(await accounts.listForUser(existing.id)).toEqual([]);
  });

  it('keeps mode=code through the password step: the hand-off code goes to returnTo after it', async () => {
    const existing = await createUser(t);
    googleAccountFor(existing.email);
    const returnTo = `${ALLOWED_APP}/auth/callback`;
    const { response } = await googleSignIn(
      t,
      `?mode=code&returnTo=${encodeURIComponent(returnTo)}`,
    );
    const right = await postPassword(await linkStep(response), PASSWORD).expect(303);
    expect(setCookieFor(right)).toBeUndefined();
    const location = new URL(right.headers['location'] as string);
    expect(`${location.origin}${location.pathname}`).toBe(returnTo);
    const code = location.searchParams.get('code');
    const tokens = await request(t.http).post('/auth/google/exchange').send({ code }).expect(200);
    const profile = await request(t.http)
      .get('/auth/me')
      .set('Authorization', `Bearer ${(tokens.body as { accessToken: string }).accessToken}`)
      .expect(200);
    expect(profile.body).toMatchObject({ id: existing.id, emailVerified: true });
  });

  it('links an unverified account without a password (nothing to prove, nobody else can sign in to it)', async () => {
    const email = `nopassword-${Date.now()}@example.test`;
    const existing = await t.users.create({ email, name: null });
    googleAccountFor(email);
    const { response } = await googleSignIn(t);
    expect(response.headers['location']).toBe('/account');
    expect(await me(setCookieFor(response))).toMatchObject({
      id: existing.id,
      emailVerified: true,
    });
  });
});

describe('Sign in with Google: the password step with REQUIRE_VERIFIED_EMAIL=true', () => {
  let mock: MockGoogle;
  let t: SessionTestApp;

  beforeAll(async () => {
    mock = await startMockGoogle();
    t = await startSessionApp(googleEnv(mock, { REQUIRE_VERIFIED_EMAIL: 'true' }));
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await mock?.stop();
  });

  // The account's password and Google's verified address together are the proof the setting
  // asks for: the link is made, the address verified, and the user signed in.
  it('links an unverified account after its password, and the account can sign in from then on', async () => {
    const existing = await createUser(t);
    mock.account = { sub: `strict-${Date.now()}`, email: existing.email, email_verified: true };
    await request(t.http)
      .post('/session/login')
      .send({ email: existing.email, password: PASSWORD })
      .expect(403);
    const { response } = await googleSignIn(t);
    expect(response.headers['location']).toBe('/auth/google/link');
    const linkCookie = cookiePair(setCookieFor(response, GOOGLE_LINK_COOKIE) ?? '');
    const page = await request(t.http).get('/auth/google/link').set('Cookie', linkCookie);
    const csrfCookie = cookiePair(setCookieFor(page, 'keycard.csrf') ?? '');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const right = await request(t.http)
      .post('/auth/google/link')
      .set('Cookie', `${linkCookie}; ${csrfCookie}`)
      .type('form')
      .send({ _csrf: csrf, password: PASSWORD })
      .expect(303);
    expect(right.headers['location']).toBe('/account');
    expect(setCookieFor(right)).toBeDefined();
    await request(t.http)
      .post('/session/login')
      .send({ email: existing.email, password: PASSWORD })
      .expect(200);
  });
});
