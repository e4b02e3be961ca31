import type { Response } from 'supertest';
import request from 'supertest';
import type { SmtpSink } from '@keycard/testing';
import { startSmtpSink } from '@keycard/testing';
import { cookiePair, setCookieFor, squash } from '../sessions/sessions.test-kit';
import type { AccountTestApp } from './account.test-kit';
import {
  linkToken,
  login,
  newAddress,
  register,
  sessionSignIn,
  startAccountApp,
} from './account.test-kit';

/*
 * The account pages over HTTP (SQLite): forms, their CSRF protection, mailed links that open a
 * page without using the link, and the password and address forms of /account.
 */
const PASSWORD = 'kT9#qz!w-registered';
const NEW_PASSWORD = 'nW8$rt-second-pass';

describe('account pages', () => {
  let sink: SmtpSink;
  let t: AccountTestApp;
  const http = () => request(t.http);

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startAccountApp(sink, undefined, { ACCOUNT_MAIL_IP_RATE_LIMIT: '100000' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  /** A page's CSRF field and its double-submit cookie. */
  function formOf(page: Response): { cookie: string; csrf: string } {
    const line = setCookieFor(page, 'keycard.csrf');
    const match = /name="_csrf" value="([^"]+)"/.exec(page.text);
    if (!match) throw new Error('no CSRF field on the page');
    return { cookie: line ? cookiePair(line) : '', csrf: match[1] };
  }

  function post(
    path: string,
    form: { cookie: string; csrf: string },
    fields: Record<string, string>,
  ) {
    return http()
      .post(path)
      .set('Cookie', form.cookie)
      .type('form')
      .send({ _csrf: form.csrf, ...fields });
  }

  it('links /login to /forgot-password', async () => {
    const page = await http().get('/login').expect(200);
    expect(page.text).toContain('href="/forgot-password"');
  });

  it('forgot → mail → reset page → new password; opening the link uses nothing', async () => {
    const email = newAddress('page-reset');
    await register(t, email);
    const forgotPage = await http().get('/forgot-password').expect(200);
    expect(forgotPage.headers['content-security-policy']).toContain("default-src 'self'");
    const sent = await post('/forgot-password', formOf(forgotPage), { email }).expect(303);
    expect(sent.headers['location']).toBe('/forgot-password?sent=1');
    const token = linkToken(await t.mailTo(email, 'Reset your password'));

    const resetPage = await http().get(`/reset-password?token=${token}`).expect(200);
    await http().get(`/reset-password?token=${token}`).expect(200);
    expect(squash(resetPage.text)).toContain(`<input type="hidden" name="token" value="${token}">`);
    const form = formOf(resetPage);
    const weak = await post('/reset-password', form, { token, password: 'password123' }).expect(
      400,
    );
    expect(weak.text).toContain('role="alert"');
    expect(weak.text).toContain('not a commonly used one');
    const done = await post('/reset-password', form, { token, password: NEW_PASSWORD }).expect(200);
    expect(done.text).toContain('Your password has been changed');
    await login(t, email, NEW_PASSWORD);
    const used = await http().get(`/reset-password?token=${token}`).expect(400);
    expect(used.text).toContain('This link is not valid');
  });

  it('refuses a form post without its CSRF token', async () => {
    const response = await http()
      .post('/forgot-password')
      .type('form')
      .send({ email: newAddress('csrf') })
      .expect(303);
    expect(response.headers['location']).toBe('/forgot-password?error=csrf');
  });

  it('the verification link opens a page; only its button verifies the address', async () => {
    const email = newAddress('page-verify');
    await register(t, email);
    const token = linkToken(await t.mailTo(email, 'Verify your email address'));
    const page = await http().get(`/verify-email?token=${token}`).expect(200);
    expect(page.text).toContain('action="/verify-email"');
    const tokens = await login(t, email, PASSWORD);
    const me = () =>
      http().get('/auth/me').auth(tokens.accessToken, { type: 'bearer' }).expect(200);
    expect((await me()).body).toMatchObject({ emailVerified: false });
    const done = await post('/verify-email', formOf(page), { token }).expect(200);
    expect(done.text).toContain('Your address is verified');
    expect((await me()).body).toMatchObject({ emailVerified: true });
    await http().get(`/verify-email?token=${token}`).expect(400);
  });

  it('/verify-email without a token asks for a new link', async () => {
    const email = newAddress('page-resend');
    await register(t, email);
    await t.settle();
    const page = await http().get('/verify-email').expect(200);
    const sent = await post('/verify-email/resend', formOf(page), { email }).expect(303);
    expect(sent.headers['location']).toBe('/verify-email?sent=1');
    await t.settle();
    expect(sink.messagesTo(email).filter((m) => m.subject.startsWith('Verify'))).toHaveLength(2);
  });

  it('/account changes the password (CSRF-checked) and asks for an address change', async () => {
    const email = newAddress('page-account');
    await register(t, email);
    const session = await sessionSignIn(t, email, PASSWORD);
    const other = await sessionSignIn(t, email, PASSWORD);
    const account = await http().get('/account').set('Cookie', session.cookie).expect(200);
    expect(account.text).toContain('action="/account/password"');
    expect(account.text).toContain('action="/account/email"');
    expect(account.text).toContain('(not verified)');
    const form = { cookie: session.cookie, csrf: session.csrfToken };

    await http()
      .post('/account/password')
      .set('Cookie', session.cookie)
      .type('form')
      .send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
      .expect(403);
    const wrong = await post('/account/password', form, {
      currentPassword: 'not-my-password',
      newPassword: NEW_PASSWORD,
    }).expect(401);
    expect(wrong.text).toContain('The current password is not correct');
    const changed = await post('/account/password', form, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    }).expect(303);
    expect(changed.headers['location']).toBe('/account?notice=password_changed');
    await http().get('/account').set('Cookie', session.cookie).expect(200);
    await http().get('/auth/me').set('Cookie', other.cookie).expect(401);

    const newEmail = newAddress('page-new');
    const asked = await post('/account/email', form, { newEmail, password: NEW_PASSWORD }).expect(
      303,
    );
    expect(asked.headers['location']).toBe('/account?notice=email_change_sent');
    expect((await t.mailTo(newEmail, 'Confirm your new email address')).links[0]).toContain(
      '/verify-email?token=',
    );
  });
});
