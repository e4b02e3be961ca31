import request from 'supertest';
import type { SmtpSink } from '@keycard/testing';
import { startSmtpSink, testBackendUrls } from '@keycard/testing';
import type { AccountTestApp } from '../account/account.test-kit';
import { newAddress, startAccountApp } from '../account/account.test-kit';
import { cookiePair, loginForm, setCookieFor } from '../sessions/sessions.test-kit';
import { enrolTotp, PASSWORD, STEP } from './mfa.test-kit';
import { totpCodeAt } from './totp';

/*
 * The browser sign-in with a second factor: the JSON session login answers mfa_required and
 * `POST /session/login/mfa` starts the session; the form goes to /login/mfa with the mfaToken in
 * a cookie, and the session exists only after the code. On SQLite and (with TEST_DATABASE_URL)
 * PostgreSQL.
 */
const backends = testBackendUrls();

describe.each(backends)('session sign-in with a second factor on %s', (_name, url) => {
  let sink: SmtpSink;
  let t: AccountTestApp;
  const http = () => request(t.http);

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startAccountApp(sink, url);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('JSON: mfa_required without a cookie, then the code starts a session whose token has mfa', async () => {
    const user = await enrolTotp(t, newAddress('session-json'));
    const first = await http()
      .post('/session/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(401);
    expect(first.body).toMatchObject({ error: 'mfa_required', methods: ['totp', 'recovery_code'] });
    expect(setCookieFor(first)).toBeUndefined();

    const second = await http()
      .post('/session/login/mfa')
      .send({
        mfaToken: (first.body as { mfaToken: string }).mfaToken,
        code: totpCodeAt(user.secret, t.clock.now()),
      })
      .expect(200);
    const line = setCookieFor(second);
    expect(line).toBeDefined();
    const token = await http()
      .post('/session/token')
      .set('Cookie', cookiePair(line ?? ''))
      .set('X-CSRF-Token', (second.body as { csrfToken: string }).csrfToken)
      .expect(200);
    const claims = JSON.parse(
      Buffer.from(
        (token.body as { accessToken: string }).accessToken.split('.')[1],
        'base64url',
      ).toString(),
    ) as { amr: string[] };
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('form: the password leads to /login/mfa (no session yet); a wrong code comes back; the right one signs in', async () => {
    const user = await enrolTotp(t, newAddress('session-form'));
    const form = await loginForm(t);
    const posted = await http()
      .post('/session/login')
      .type('form')
      .set('Cookie', form.cookie)
      .send({ email: user.email, password: PASSWORD, _csrf: form.csrf })
      .expect(303);
    expect(posted.headers.location).toBe('/login/mfa');
    expect(setCookieFor(posted)).toBeUndefined();
    const mfaCookie = setCookieFor(posted, 'keycard.mfa');
    expect(mfaCookie).toMatch(/HttpOnly/);
    const cookies = `${form.cookie}; ${cookiePair(mfaCookie ?? '')}`;

    const page = await http().get('/login/mfa').set('Cookie', cookies).expect(200);
    expect(page.text).toContain('autocomplete="one-time-code"');
    // Without the second-step cookie the page sends the browser back to the password.
    const none = await http().get('/login/mfa').expect(303);
    expect(none.headers.location).toBe('/login');

    const wrong = await http()
      .post('/session/login/mfa')
      .type('form')
      .set('Cookie', cookies)
      .send({ code: '000000', _csrf: form.csrf })
      .expect(303);
    expect(wrong.headers.location).toBe('/login/mfa?error=invalid_code');
    expect(setCookieFor(wrong)).toBeUndefined();

    t.clock.advance(STEP);
    const right = await http()
      .post('/session/login/mfa')
      .type('form')
      .set('Cookie', cookies)
      .send({ code: totpCodeAt(user.secret, t.clock.now()), _csrf: form.csrf })
      .expect(303);
    expect(right.headers.location).toBe('/account');
    expect(setCookieFor(right)).toBeDefined();
  });

  it('form: a code without the sign-in form token is refused (login CSRF)', async () => {
    const user = await enrolTotp(t, newAddress('session-csrf'));
    const form = await loginForm(t);
    const posted = await http()
      .post('/session/login')
      .type('form')
      .set('Cookie', form.cookie)
      .send({ email: user.email, password: PASSWORD, _csrf: form.csrf })
      .expect(303);
    const mfaCookie = cookiePair(setCookieFor(posted, 'keycard.mfa') ?? '');
    const refused = await http()
      .post('/session/login/mfa')
      .type('form')
      .set('Cookie', mfaCookie)
      .send({ code: totpCodeAt(user.secret, t.clock.now()) })
      .expect(303);
    expect(refused.headers.location).toBe('/login/mfa?error=csrf');
    expect(setCookieFor(refused)).toBeUndefined();
  });
});
