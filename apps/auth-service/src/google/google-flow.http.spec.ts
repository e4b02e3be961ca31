import request from 'supertest';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import {
  createUser,
  setCookieFor,
  squash,
  startSessionApp,
  cookiePair,
} from '../sessions/sessions.test-kit';
import { GoogleAccountsService } from './google-accounts.service';
import type { MockGoogle } from './google.test-kit';
import {
  authorize,
  callback,
  googleEnv,
  googleSignIn,
  startGoogle,
  startMockGoogle,
} from './google.test-kit';

describe('Sign in with Google: accounts and sessions (against a local OpenID provider)', () => {
  let mock: MockGoogle;
  let t: SessionTestApp;
  let accounts: GoogleAccountsService;
  let counter = 0;

  beforeAll(async () => {
    mock = await startMockGoogle();
    t = await startSessionApp(googleEnv(mock));
    accounts = t.app.get(GoogleAccountsService);
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await mock?.stop();
  });

  /** A fresh Google account for each test. */
  function newAccount(overrides: Partial<MockGoogle['account']> = {}): MockGoogle['account'] {
    counter += 1;
    mock.account = {
      sub: `1000${counter}${Date.now()}`,
      email: `person-${counter}-${Date.now()}@example.test`,
      email_verified: true,
      name: `Person ${counter}`,
      ...overrides,
    };
    return mock.account;
  }

  it('creates a user without a password, starts a session like the password form and lands on /account', async () => {
    const account = newAccount();
    const { response, location } = await googleSignIn(t);
    expect(location.searchParams.get('scope')).toBe('openid email profile');
    expect(response.status).toBe(303);
    expect(response.headers['location']).toBe('/account');
    expect(response.headers['cache-control']).toBe('no-store');
    const sessionLine = setCookieFor(response);
    expect(sessionLine).toMatch(
      /^keycard\.sid=[A-Za-z0-9_-]{43}; Max-Age=86400; Path=\/; Expires=.*; HttpOnly; SameSite=Lax$/,
    );
    expect(setCookieFor(response, 'keycard.google')).toMatch(
      /^keycard\.google=; Path=\/auth\/google; Expires=Thu, 01 Jan 1970/,
    );
    expect(response.headers['location']).not.toMatch(/token|code=/);

    const page = await request(t.http)
      .get('/account')
      .set('Cookie', cookiePair(sessionLine ?? ''))
      .expect(200);
    expect(squash(page.text)).toContain(account.email ?? '');
    const session = await request(t.http)
      .get('/session')
      .set('Cookie', cookiePair(sessionLine ?? ''))
      .expect(200);
    expect((session.body as { csrfToken: string }).csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const user = await t.users.findByEmail(account.email ?? '');
    expect(user).toMatchObject({
      passwordHash: null,
      roles: ['user'],
      name: account.name,
      disabled: false,
    });
    const identities = await accounts.listForUser(user?.id ?? '');
    expect(identities).toEqual([
      expect.objectContaining({ provider: 'google', subject: account.sub, email: account.email }),
    ]);
  });

  it('replaces a session cookie the browser already had (no fixation)', async () => {
    newAccount();
    const first = await googleSignIn(t);
    const oldCookie = cookiePair(setCookieFor(first.response) ?? '');
    const { response, callbackUrl } = await googleSignInWith(oldCookie);
    expect(response.status).toBe(303);
    expect(cookiePair(setCookieFor(response) ?? '')).not.toBe(oldCookie);
    expect(callbackUrl.searchParams.get('code')).toBeTruthy();
    await request(t.http).get('/session').set('Cookie', oldCookie).expect(401);
  });

  async function googleSignInWith(sessionCookie: string) {
    const started = await startGoogle(t);
    const callbackUrl = await authorize(started.location);
    const response = await callback(t, callbackUrl, `${started.stateCookie}; ${sessionCookie}`);
    return { response, callbackUrl };
  }

  // Only a verified address is linked directly; an unverified one asks for the account's
  // password first (google-linking.int.spec.ts).
  it('links an existing password user with the same, verified email instead of duplicating it', async () => {
    const existing = await createUser(t);
    await t.users.markEmailVerified(existing, existing.email);
    newAccount({ email: existing.email.toUpperCase() });
    const { response } = await googleSignIn(t);
    expect(response.status).toBe(303);
    const identities = await accounts.listForUser(existing.id);
    expect(identities).toHaveLength(1);
    expect(identities[0]).toMatchObject({
      provider: 'google',
      subject: mock.account.sub,
      userId: existing.id,
    });
    expect((await t.users.findByEmail(existing.email))?.passwordHash).not.toBeNull();
  });

  it('still finds the same user by subject after the email changed at Google', async () => {
    const account = newAccount();
    await googleSignIn(t);
    const user = await t.users.findByEmail(account.email ?? '');
    mock.account = { ...account, email: `changed-${account.email}` };
    const { response } = await googleSignIn(t);
    expect(response.status).toBe(303);
    expect(await t.users.findByEmail(mock.account.email ?? '')).toBeNull();
    const sessionCookie = cookiePair(setCookieFor(response) ?? '');
    const me = await request(t.http).get('/auth/me').set('Cookie', sessionCookie).expect(200);
    expect((me.body as { id: string }).id).toBe(user?.id);
  });

  it.each([
    ['false', false],
    ['the string "true"', 'true'],
    ['missing', undefined],
  ])(
    'refuses an email whose email_verified is %s: a clear page and no user',
    async (_label, verified) => {
      const account = newAccount({ email_verified: verified });
      const { response } = await googleSignIn(t);
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toContain('text/html');
      expect(squash(response.text)).toContain('Email address not verified');
      expect(setCookieFor(response)).toBeUndefined();
      expect(await t.users.findByEmail(account.email ?? '')).toBeNull();
    },
  );

  it('shows "account disabled" to a disabled user and starts no session', async () => {
    const existing = await createUser(t);
    await t.users.update(existing.id, { disabled: true });
    newAccount({ email: existing.email });
    const { response } = await googleSignIn(t);
    expect(response.status).toBe(403);
    expect(squash(response.text)).toContain('Account disabled');
    expect(setCookieFor(response)).toBeUndefined();
    // Not asked for its password either (the account is unverified, but disabled comes first).
    expect(setCookieFor(response, 'keycard.google.link')).toBeUndefined();
    expect(await accounts.listForUser(existing.id)).toEqual([]);
  });
});
