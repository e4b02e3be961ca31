import request from 'supertest';
import type { SessionTestApp, SignedIn } from '../sessions/sessions.test-kit';
import {
  createUser,
  squash,
  signIn,
  startSessionApp,
  setCookieFor,
} from '../sessions/sessions.test-kit';

const SECRET_FIELD =
  /<input id="new-key" type="text" readonly value="((?:sk|pk)_(?:live|test)_[0-9A-Za-z]+)"/;

function expectPageHeaders(headers: Record<string, string>): void {
  expect(headers['content-type']).toBe('text/html; charset=utf-8');
  expect(headers['content-security-policy']).toContain(
    "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
  );
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cache-control']).toBe('no-store');
}

describe('Pages over HTTP', () => {
  let t: SessionTestApp;

  beforeAll(async () => {
    t = await startSessionApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  const account = (session: SignedIn) =>
    request(t.http).get('/account').set('Cookie', session.cookie);
  const post = (session: SignedIn, path: string, fields: Record<string, string | string[]> = {}) =>
    request(t.http)
      .post(path)
      .set('Cookie', session.cookie)
      .type('form')
      .send({ _csrf: session.csrfToken, ...fields });

  describe('/login', () => {
    it('is an accessible form with the security headers and a login CSRF cookie', async () => {
      const response = await request(t.http).get('/login').expect(200);
      expectPageHeaders(response.headers);
      expect(setCookieFor(response, 'keycard.csrf')).toMatch(/HttpOnly; SameSite=Lax/);
      expect(squash(response.text)).toContain(
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
      );
      expect(squash(response.text)).toContain('<label for="email">');
      expect(squash(response.text)).toContain('autocomplete="username"');
      expect(squash(response.text)).toContain('autocomplete="current-password"');
      expect(squash(response.text)).toMatch(/name="_csrf" value="[A-Za-z0-9_-]{43}"/);
      expect(squash(response.text)).not.toContain('Sign in with Google');
      expect(squash(response.text)).not.toContain('<script');
    });

    it('shows "Sign in with Google" only when GOOGLE_CLIENT_ID is configured', async () => {
      const google = await startSessionApp({
        GOOGLE_CLIENT_ID: 'client-id.apps.example',
        GOOGLE_CLIENT_SECRET: 'client-secret',
      });
      try {
        const response = await request(google.http).get('/login').expect(200);
        expect(squash(response.text)).toContain('href="/auth/google">Sign in with Google</a>');
      } finally {
        await google.close();
      }
    });

    it('shows only known errors, never text from the address', async () => {
      const unknown = await request(t.http)
        .get('/login?error=%3Cscript%3Ealert(1)%3C/script%3E')
        .expect(200);
      expect(squash(unknown.text)).not.toContain('role="alert"');
      expect(squash(unknown.text)).not.toContain('alert(1)');
      const limited = await request(t.http).get('/login?error=rate_limited&retry=600').expect(200);
      expect(squash(limited.text)).toContain(
        'Too many sign-in attempts. Please try again in 10 minutes.',
      );
    });

    it('sends someone already signed in to /account', async () => {
      const session = await signIn(t, await createUser(t));
      const response = await request(t.http)
        .get('/login')
        .set('Cookie', session.cookie)
        .expect(303);
      expect(response.headers.location).toBe('/account');
    });
  });

  describe('/account', () => {
    it('sends a visitor without a live session to /login (303)', async () => {
      for (const cookie of [undefined, 'keycard.sid=not-a-session']) {
        const call = request(t.http).get('/account');
        const response = await (cookie ? call.set('Cookie', cookie) : call).expect(303);
        expect(response.headers.location).toBe('/login');
      }
    });

    it('shows the profile, escaped, and the sessions with the current one marked', async () => {
      const user = await createUser(t, ['user'], '<img src=x onerror=alert(1)>');
      const other = await signIn(t, user, { 'User-Agent': 'Other "Browser" <b>' });
      const session = await signIn(t, user);
      const response = await account(session).expect(200);
      expectPageHeaders(response.headers);
      expect(squash(response.text)).toContain(user.email);
      expect(squash(response.text)).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(squash(response.text)).not.toContain('<img src=x');
      expect(squash(response.text)).toContain('title="Other &quot;Browser&quot; &lt;b&gt;"');
      expect(squash(response.text)).toContain('<span class="badge">current</span>');
      expect(squash(response.text)).toContain(`action="/account/sessions/${other.id}/revoke"`);
      expect(squash(response.text)).not.toContain(
        `action="/account/sessions/${session.id}/revoke"`,
      );
      expect(squash(response.text)).toContain('<script src="/assets/account.js" defer></script>');
    });

    it('creates an API key and shows its secret once', async () => {
      const session = await signIn(t, await createUser(t));
      const created = await post(session, '/account/api-keys', {
        name: 'Deploy bot',
        type: 'sk',
        environment: 'test',
        scopes: ['documents:read'],
      }).expect(200);
      const secret = SECRET_FIELD.exec(squash(created.text))?.[1];
      expect(secret).toMatch(/^sk_test_/);
      expect(squash(created.text)).toContain('It will not be shown again.');
      expect(squash(created.text)).toContain('data-copy="new-key"');
      const again = await account(session).expect(200);
      expect(squash(again.text)).not.toContain(secret);
      expect(squash(again.text)).toContain('Deploy bot');
      expect(squash(again.text)).toContain(`${secret?.slice(0, 12)}…`);
    });

    it.each([
      ['an empty name', { name: '   ' }, 400, 'Give the key a name.'],
      [
        'a write scope on a publishable key',
        { name: 'pk', type: 'pk', scopes: 'documents:write' },
        400,
        'A publishable key may only hold read scopes',
      ],
      ['an unknown scope', { name: 'x', scopes: 'nope:read' }, 400, 'Unknown scope: nope:read'],
    ])('answers %s on the account page itself', async (_label, fields, status, message) => {
      const session = await signIn(t, await createUser(t));
      const response = await post(session, '/account/api-keys', fields).expect(status);
      expect(squash(response.text)).toContain('<h1>Your account</h1>');
      expect(squash(response.text)).toContain(message);
      expect(squash(response.text)).not.toMatch(SECRET_FIELD);
    });

    it('rotates and revokes keys through forms', async () => {
      const session = await signIn(t, await createUser(t));
      await post(session, '/account/api-keys', { name: 'Rotating' }).expect(200);
      const key = (await request(t.http).get('/api-keys').set('Cookie', session.cookie).expect(200))
        .body[0] as { id: string };
      const rotated = await post(session, `/account/api-keys/${key.id}/rotate`).expect(200);
      expect(squash(rotated.text)).toContain('Your rotated API key');
      expect(squash(rotated.text)).toMatch(SECRET_FIELD);
      const revoked = await post(session, `/account/api-keys/${key.id}/revoke`).expect(303);
      expect(revoked.headers.location).toBe('/account?notice=key_revoked');
      const page = await account(session).expect(200);
      expect(squash(page.text)).toContain('<span class="badge badge-danger">revoked</span>');
      const again = await post(session, `/account/api-keys/${key.id}/rotate`).expect(409);
      expect(squash(again.text)).toContain('Only an active API key can be rotated');
    });

    it('lets the old key of a rotation be revoked, after a confirmation that says what happens', async () => {
      const session = await signIn(t, await createUser(t));
      await post(session, '/account/api-keys', { name: 'Old' }).expect(200);
      const old = (await request(t.http).get('/api-keys').set('Cookie', session.cookie).expect(200))
        .body[0] as { id: string };
      const rotated = await post(session, `/account/api-keys/${old.id}/rotate`).expect(200);
      expect(squash(rotated.text)).toContain('The previous key keeps working for 24 hours');
      const page = squash((await account(session).expect(200)).text);
      expect(page).toContain('<span class="badge badge-muted">expiring</span>');
      // The expiring key has a revoke form behind a confirmation step, and no rotate form.
      expect(page).toContain(`action="/account/api-keys/${old.id}/revoke"`);
      expect(page).not.toContain(`action="/account/api-keys/${old.id}/rotate"`);
      expect(page).toMatch(/<details class="confirm"><summary[^>]*>Revoke<\/summary>/);
      expect(page).toContain('may accept it for a few more seconds');
      const revoked = await post(session, `/account/api-keys/${old.id}/revoke`).expect(303);
      expect(revoked.headers.location).toBe('/account?notice=key_revoked');
      const notice = squash((await account(session).expect(200)).text);
      expect(notice).not.toContain('stops working at once');
      const keys = (await request(t.http).get('/api-keys').set('Cookie', session.cookie)).body as {
        id: string;
        status: string;
      }[];
      expect(keys.find((key) => key.id === old.id)?.status).toBe('revoked');
    });

    it('signs out another session through its form', async () => {
      const user = await createUser(t);
      const other = await signIn(t, user);
      const session = await signIn(t, user);
      const response = await post(session, `/account/sessions/${other.id}/revoke`).expect(303);
      expect(response.headers.location).toBe('/account?notice=session_revoked');
      await request(t.http).get('/account').set('Cookie', other.cookie).expect(303);
      const page = await request(t.http)
        .get('/account?notice=session_revoked')
        .set('Cookie', session.cookie)
        .expect(200);
      expect(squash(page.text)).toContain('That session has been signed out.');
    });

    it('answers errors with a page, never JSON', async () => {
      const session = await signIn(t, await createUser(t));
      const missing = await post(
        session,
        '/account/sessions/00000000-0000-4000-8000-000000000000/revoke',
      ).expect(404);
      expectPageHeaders(missing.headers);
      expect(squash(missing.text)).toContain('<h1>Not found</h1>');
      const forged = await request(t.http)
        .post('/account/api-keys')
        .set('Cookie', session.cookie)
        .type('form')
        .send({ name: 'x' })
        .expect(403);
      expectPageHeaders(forged.headers);
      expect(squash(forged.text)).toContain('This form has expired');
    });
  });

  it('serves the stylesheet, the script and the icon as static assets', async () => {
    const css = await request(t.http).get('/assets/keycard.css').expect(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(squash(css.text)).toContain('@media (max-width: 600px)');
    const js = await request(t.http).get('/assets/account.js').expect(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    const icon = await request(t.http).get('/assets/favicon.svg').expect(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
  });
});
