import request from 'supertest';
import { ErrorCode } from '@keycard/common';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import {
  cookiePair,
  createUser,
  ISSUER_ORIGIN,
  loginForm,
  PASSWORD,
  setCookieFor,
  signIn,
  squash,
  startSessionApp,
} from '../sessions/sessions.test-kit';

describe('Session sign-in over HTTP', () => {
  let t: SessionTestApp;

  beforeAll(async () => {
    t = await startSessionApp({ LOGIN_MAX_FAILURES: '3' });
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('cookie flags', () => {
    it('sets keycard.sid HttpOnly, SameSite=Lax, Path=/ and no Secure when COOKIE_SECURE=false', async () => {
      const user = await createUser(t);
      const response = await request(t.http)
        .post('/session/login')
        .send({ email: user.email, password: PASSWORD })
        .expect(200);
      const line = setCookieFor(response) ?? '';
      expect(line).toMatch(/^keycard\.sid=[A-Za-z0-9_-]{43};/);
      expect(line).toMatch(/; HttpOnly/);
      expect(line).toMatch(/; SameSite=Lax/);
      expect(line).toMatch(/; Path=\//);
      expect(line).not.toMatch(/Secure/);
    });

    it('sets Secure by default', async () => {
      // An empty value is "not set": the default applies.
      const secure = await startSessionApp({ COOKIE_SECURE: '' });
      try {
        const user = await createUser(secure);
        const response = await request(secure.http)
          .post('/session/login')
          .send({ email: user.email, password: PASSWORD })
          .expect(200);
        expect(setCookieFor(response)).toMatch(/; Secure/);
        expect(setCookieFor(response)).toMatch(/; HttpOnly/);
      } finally {
        await secure.close();
      }
    });

    it('answers JSON with the public id, the user and the CSRF token, never the cookie value', async () => {
      const user = await createUser(t);
      const response = await request(t.http)
        .post('/session/login')
        .send({ email: user.email, password: PASSWORD })
        .expect(200);
      const cookieValue = cookiePair(setCookieFor(response) ?? '').split('=')[1];
      expect(response.body).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        user: { id: user.id, email: user.email, roles: ['user'] },
        csrfToken: expect.any(String),
      });
      expect(response.text).not.toContain(cookieValue);
      expect(response.headers['cache-control']).toBe('no-store');
    });
  });

  describe('fixation', () => {
    it('gives a new session at every sign-in and ends the one the browser presented', async () => {
      const user = await createUser(t);
      const first = await signIn(t, user);
      const second = await signIn(t, user, { Cookie: first.cookie });
      expect(second.id).not.toBe(first.id);
      expect(second.cookie).not.toBe(first.cookie);
      await request(t.http).get('/auth/me').set('Cookie', first.cookie).expect(401);
      await request(t.http).get('/auth/me').set('Cookie', second.cookie).expect(200);
    });

    it('ends a session of another user presented at sign-in too', async () => {
      const planted = await signIn(t, await createUser(t));
      const victim = await createUser(t);
      const response = await request(t.http)
        .post('/session/login')
        .set('Cookie', planted.cookie)
        .send({ email: victim.email, password: PASSWORD })
        .expect(200);
      expect(response.body.user.id).toBe(victim.id);
      await request(t.http).get('/auth/me').set('Cookie', planted.cookie).expect(401);
    });
  });

  describe('the sign-in form', () => {
    it('redirects to /account (303) with a session cookie', async () => {
      const user = await createUser(t);
      const form = await loginForm(t);
      const response = await request(t.http)
        .post('/session/login')
        .set('Cookie', form.cookie)
        .set('Origin', ISSUER_ORIGIN)
        .type('form')
        .send({ email: user.email, password: PASSWORD, _csrf: form.csrf })
        .expect(303);
      expect(response.headers.location).toBe('/account');
      expect(setCookieFor(response)).toBeDefined();
    });

    it('goes back to /login with an inline error for a wrong password', async () => {
      const user = await createUser(t);
      const form = await loginForm(t);
      const response = await request(t.http)
        .post('/session/login')
        .set('Cookie', form.cookie)
        .type('form')
        .send({ email: user.email, password: 'wrong password', _csrf: form.csrf })
        .expect(303);
      expect(response.headers.location).toBe('/login?error=invalid_credentials');
      expect(setCookieFor(response)).toBeUndefined();
      const page = await request(t.http)
        .get(response.headers.location)
        .set('Cookie', form.cookie)
        .expect(200);
      expect(squash(page.text)).toMatch(
        /<p class="alert" role="alert"[^>]*>\s*That email and password do not match/,
      );
    });

    it('keeps the typed address after a failed attempt, on /login only, and forgets it on success', async () => {
      const user = await createUser(t);
      const form = await loginForm(t);
      const failed = await request(t.http)
        .post('/session/login')
        .set('Cookie', form.cookie)
        .type('form')
        .send({ email: user.email, password: 'wrong password', _csrf: form.csrf })
        .expect(303);
      const remembered = setCookieFor(failed, 'keycard.form_email');
      expect(remembered).toMatch(/; Path=\/login;/);
      expect(remembered).toMatch(/HttpOnly/);
      expect(remembered).not.toContain(user.email);
      const cookies = `${form.cookie}; ${cookiePair(remembered ?? '')}`;
      const page = await request(t.http).get(failed.headers.location).set('Cookie', cookies);
      expect(squash(page.text)).toContain(`value="${user.email}"`);
      // Without an error the form starts empty, whatever the cookie says.
      const fresh = await request(t.http).get('/login').set('Cookie', cookies).expect(200);
      expect(squash(fresh.text)).not.toContain(`value="${user.email}"`);
      const forged = `${form.cookie}; keycard.form_email=${Buffer.from('"><script>x</script>@a').toString('base64url')}`;
      const escaped = await request(t.http)
        .get('/login?error=invalid_credentials')
        .set('Cookie', forged);
      expect(escaped.text).not.toContain('<script>x</script>');
      const success = await request(t.http)
        .post('/session/login')
        .set('Cookie', cookies)
        .type('form')
        .send({ email: user.email, password: PASSWORD, _csrf: form.csrf })
        .expect(303);
      expect(setCookieFor(success, 'keycard.form_email')).toMatch(/^keycard\.form_email=;/);
    });

    it.each([
      [
        'no token',
        (_csrf: string, cookie: string) => ({
          cookie,
          fields: {},
          origin: undefined as string | undefined,
        }),
      ],
      [
        'a wrong token',
        (_csrf: string, cookie: string) => ({
          cookie,
          fields: { _csrf: 'x'.repeat(43) },
          origin: undefined,
        }),
      ],
      ['no cookie', (csrf: string) => ({ cookie: '', fields: { _csrf: csrf }, origin: undefined })],
      [
        'a foreign Origin',
        (csrf: string, cookie: string) => ({
          cookie,
          fields: { _csrf: csrf },
          origin: 'https://evil.example',
        }),
      ],
    ])('refuses a form sign-in with %s (login CSRF)', async (_label, make) => {
      const user = await createUser(t);
      const form = await loginForm(t);
      const { cookie, fields, origin } = make(form.csrf, form.cookie);
      let call = request(t.http).post('/session/login').type('form');
      if (cookie) call = call.set('Cookie', cookie);
      if (origin) call = call.set('Origin', origin);
      const response = await call
        .send({ email: user.email, password: PASSWORD, ...fields })
        .expect(303);
      expect(response.headers.location).toBe('/login?error=csrf');
      expect(setCookieFor(response)).toBeUndefined();
    });
  });

  describe('JSON errors', () => {
    it('answers 401 for a wrong password and 403 for a foreign Origin', async () => {
      const user = await createUser(t);
      const wrong = await request(t.http)
        .post('/session/login')
        .send({ email: user.email, password: 'nope-nope' })
        .expect(401);
      expect(wrong.body).toMatchObject({
        error: ErrorCode.InvalidCredentials,
        message: 'Invalid credentials',
      });
      const foreign = await request(t.http)
        .post('/session/login')
        .set('Origin', 'https://evil.example')
        .send({ email: user.email, password: PASSWORD })
        .expect(403);
      expect(foreign.body.error).toBe(ErrorCode.CsrfFailed);
      expect(setCookieFor(foreign)).toBeUndefined();
    });

    it('answers 400 for a body of the wrong shape', async () => {
      await request(t.http).post('/session/login').send({ email: 42 }).expect(400);
    });

    it('is rate-limited like /auth/login: 429 with Retry-After after the configured failures', async () => {
      const user = await createUser(t);
      for (let attempt = 0; attempt < 3; attempt++) {
        await request(t.http)
          .post('/session/login')
          .send({ email: user.email, password: 'wrong-guess' })
          .expect(401);
      }
      const limited = await request(t.http)
        .post('/session/login')
        .send({ email: user.email, password: PASSWORD })
        .expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body.error).toBe(ErrorCode.RateLimited);
      const form = await loginForm(t);
      const viaForm = await request(t.http)
        .post('/session/login')
        .set('Cookie', form.cookie)
        .type('form')
        .send({ email: user.email, password: PASSWORD, _csrf: form.csrf })
        .expect(303);
      expect(viaForm.headers.location).toMatch(/^\/login\?error=rate_limited&retry=\d+$/);
    });
  });
});
