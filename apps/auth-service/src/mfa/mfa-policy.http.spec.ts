import { decodeJwt } from 'jose';
import request from 'supertest';
import type { SmtpSink } from '@keycard/testing';
import { startSmtpSink, testBackendUrls } from '@keycard/testing';
import type { AccountTestApp } from '../account/account.test-kit';
import {
  login,
  newAddress,
  register,
  sessionSignIn,
  startAccountApp,
} from '../account/account.test-kit';
import { cookiePair, setCookieFor } from '../sessions/sessions.test-kit';
import { DataSource } from 'typeorm';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { AuditService } from '../audit/audit.service';
import { enrolTotp, passwordStep, PASSWORD } from './mfa.test-kit';
import { totpCodeAt } from './totp';

/*
 * MFA_REQUIRED_ROLES=admin and the admin reset of a user's factors, through the whole app on
 * SQLite and (with TEST_DATABASE_URL) PostgreSQL.
 */
const backends = testBackendUrls();

const CHALLENGE =
  'Bearer error="insufficient_user_authentication", error_description="A second factor is required"';

describe.each(backends)('second-factor policy on %s', (_name, url) => {
  let sink: SmtpSink;
  let t: AccountTestApp;
  const http = () => request(t.http);

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startAccountApp(sink, url, { MFA_REQUIRED_ROLES: 'admin' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  async function admin(): Promise<{ email: string; secret: string; accessToken: string }> {
    const enrolled = await enrolTotp(t, newAddress('admin'));
    await t.users.update(enrolled.id, { roles: ['user', 'admin'] });
    const mfaToken = await passwordStep(t, enrolled.email);
    const tokens = await http()
      .post('/auth/login/mfa')
      .send({ mfaToken, code: totpCodeAt(enrolled.secret, t.clock.now()) })
      .expect(200);
    return { ...enrolled, accessToken: (tokens.body as { accessToken: string }).accessToken };
  }

  it('an admin signed in with the password alone gets the RFC 9470 challenge on admin routes', async () => {
    const email = newAddress('plain-admin');
    const user = await t.users.create({ email, password: PASSWORD, roles: ['user', 'admin'] });
    const { accessToken } = await login(t, email, PASSWORD);
    const refused = await http()
      .get('/admin/users')
      .auth(accessToken, { type: 'bearer' })
      .expect(401);
    expect(refused.headers['www-authenticate']).toBe(CHALLENGE);
    expect(refused.body).toMatchObject({ error: 'insufficient_user_authentication' });
    // Still able to act as a user, and to enrol.
    await http().get('/auth/me').auth(accessToken, { type: 'bearer' }).expect(200);
    await http().post('/auth/mfa/totp').auth(accessToken, { type: 'bearer' }).expect(200);
    expect(user.roles).toContain('admin');
  });

  it('an admin signed in with a second factor uses admin routes', async () => {
    const { accessToken } = await admin();
    expect(decodeJwt(accessToken).amr).toEqual(['pwd', 'otp', 'mfa']);
    await http().get('/admin/users').auth(accessToken, { type: 'bearer' }).expect(200);
  });

  it('DELETE /admin/users/:id/mfa removes the factors: audited, the user mailed, password alone works again', async () => {
    const { accessToken } = await admin();
    const user = await enrolTotp(t, newAddress('reset'));
    await passwordStep(t, user.email);

    await http()
      .delete(`/admin/users/${user.id}/mfa`)
      .auth(accessToken, { type: 'bearer' })
      .expect(204);
    const plain = await login(t, user.email, PASSWORD);
    expect(decodeJwt(plain.accessToken).amr).toEqual(['pwd']);
    const status = await http().get('/auth/mfa').auth(plain.accessToken, { type: 'bearer' });
    expect(status.body).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 });

    await t.settle();
    const mail = await sink.waitForMessage(
      (m) => m.to.includes(user.email) && m.text.includes('reset by an administrator'),
    );
    expect(mail.subject).toMatch(/^Your sign-in methods changed/);
    await t.app.get(AuditService).flush();
    const audit = await t.app
      .get(DataSource)
      .getRepository(AuditEventEntity)
      .findOneBy({ type: 'mfa.reset', subjectId: user.id });
    expect(audit).toMatchObject({ outcome: 'success' });

    await http()
      .delete(`/admin/users/${user.id}/mfa`)
      .auth(plain.accessToken, { type: 'bearer' })
      .expect(403);
  });

  it("Keycard's own sensitive actions need the second factor of a user who has one", async () => {
    const email = newAddress('sensitive');
    await register(t, email, PASSWORD);
    // Signed in before the factor existed: a password-only token.
    const before = await login(t, email, PASSWORD);
    const bearer = { Authorization: `Bearer ${before.accessToken}` };
    await http().post('/api-keys').set(bearer).send({ name: 'before' }).expect(201);
    const started = await http().post('/auth/mfa/totp').set(bearer).expect(200);
    await http()
      .post('/auth/mfa/totp/confirm')
      .set(bearer)
      .send({ code: totpCodeAt((started.body as { secret: string }).secret, t.clock.now()) })
      .expect(200);

    for (const [method, path, body] of [
      ['post', '/api-keys', { name: 'after' }],
      [
        'post',
        '/auth/password/change',
        { currentPassword: PASSWORD, newPassword: 'nW8$rt-second-pass' },
      ],
      ['post', '/auth/email/change', { newEmail: newAddress('new'), password: PASSWORD }],
      ['post', '/auth/mfa/recovery-codes', {}],
      ['delete', '/auth/mfa/totp', { password: PASSWORD }],
    ] as const) {
      const refused = await http()[method](path).set(bearer).send(body).expect(401);
      expect([path, refused.headers['www-authenticate']]).toEqual([path, CHALLENGE]);
    }
    // Reading stays open.
    await http().get('/auth/mfa').set(bearer).expect(200);
  });

  it("the admin console needs a second factor too, and resets a user's factors after a confirmation", async () => {
    const plainEmail = newAddress('console-plain');
    await t.users.create({ email: plainEmail, password: PASSWORD, roles: ['user', 'admin'] });
    const plain = await sessionSignIn(t, plainEmail, PASSWORD);
    await http().get('/admin/console/users').set('Cookie', plain.cookie).expect(403);

    const enrolled = await enrolTotp(t, newAddress('console-admin'));
    await t.users.update(enrolled.id, { roles: ['user', 'admin'] });
    const first = await http()
      .post('/session/login')
      .send({ email: enrolled.email, password: PASSWORD })
      .expect(401);
    const second = await http()
      .post('/session/login/mfa')
      .send({
        mfaToken: (first.body as { mfaToken: string }).mfaToken,
        code: totpCodeAt(enrolled.secret, t.clock.now()),
      })
      .expect(200);
    const cookie = cookiePair(setCookieFor(second) ?? '');
    const csrf = (second.body as { csrfToken: string }).csrfToken;

    const target = await enrolTotp(t, newAddress('console-target'));
    const path = `/admin/console/users/${target.id}/mfa/reset`;
    const asked = await http()
      .post(path)
      .type('form')
      .set('Cookie', cookie)
      .send({ _csrf: csrf })
      .expect(200);
    expect(asked.text).toContain('Reset the second factors of');
    const done = await http()
      .post(path)
      .type('form')
      .set('Cookie', cookie)
      .send({ _csrf: csrf, confirm: 'yes' })
      .expect(303);
    expect(done.headers.location).toBe(`/admin/console/users/${target.id}?notice=mfa_reset`);
    const plainLogin = await login(t, target.email, PASSWORD);
    expect(decodeJwt(plainLogin.accessToken).amr).toEqual(['pwd']);
  });
});
