import request from 'supertest';
import type { SmtpSink } from '@keycard/testing';
import { startSmtpSink, testBackendUrls } from '@keycard/testing';
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
 * Password and address changes while signed in (bearer or session + CSRF), with their mails, on
 * SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.
 */
const backends = testBackendUrls();

const PASSWORD = 'kT9#qz!w-registered';
const NEW_PASSWORD = 'nW8$rt-second-pass';

describe.each(backends)('password and address changes on %s', (_name, url) => {
  let sink: SmtpSink;
  let t: AccountTestApp;
  const http = () => request(t.http);

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startAccountApp(sink, url, { ACCOUNT_MAIL_IP_RATE_LIMIT: '100000' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  describe('password change', () => {
    it('with a bearer token: ends every other login and session, keeps the caller, mails the user', async () => {
      const email = newAddress('change');
      await register(t, email);
      const caller = await login(t, email, PASSWORD);
      const other = await login(t, email, PASSWORD);
      const session = await sessionSignIn(t, email, PASSWORD);

      await http()
        .post('/auth/password/change')
        .auth(caller.accessToken, { type: 'bearer' })
        .send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
        .expect(204);

      await http().get('/auth/me').auth(caller.accessToken, { type: 'bearer' }).expect(200);
      await http().post('/auth/refresh').send({ refreshToken: caller.refreshToken }).expect(200);
      await http().post('/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
      await http().get('/auth/me').auth(other.accessToken, { type: 'bearer' }).expect(401);
      await http().get('/auth/me').set('Cookie', session.cookie).expect(401);
      await http().post('/auth/login').send({ email, password: PASSWORD }).expect(401);
      await login(t, email, NEW_PASSWORD);
      await t.settle();
      expect(await t.mailTo(email, 'Your password was changed')).toBeDefined();
    });

    it('with the session cookie: needs the CSRF token, keeps that session, ends the others', async () => {
      const email = newAddress('session-change');
      await register(t, email);
      const session = await sessionSignIn(t, email, PASSWORD);
      const otherSession = await sessionSignIn(t, email, PASSWORD);
      const bearer = await login(t, email, PASSWORD);
      const body = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };

      const noCsrf = await http()
        .post('/auth/password/change')
        .set('Cookie', session.cookie)
        .send(body);
      expect([noCsrf.status, (noCsrf.body as { error: string }).error]).toEqual([
        403,
        'csrf_failed',
      ]);
      await http()
        .post('/auth/password/change')
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrfToken)
        .send(body)
        .expect(204);

      await http().get('/auth/me').set('Cookie', session.cookie).expect(200);
      await http().get('/auth/me').set('Cookie', otherSession.cookie).expect(401);
      await http().post('/auth/refresh').send({ refreshToken: bearer.refreshToken }).expect(401);
    });

    it.each([
      [
        'a wrong current password',
        { currentPassword: 'not-the-password', newPassword: NEW_PASSWORD },
        401,
        'invalid_credentials',
      ],
      [
        'a common new password',
        { currentPassword: PASSWORD, newPassword: 'iloveyou1' },
        400,
        'weak_password',
      ],
      [
        'a short new password',
        { currentPassword: PASSWORD, newPassword: 'kT9#q' },
        400,
        'weak_password',
      ],
    ])('refuses %s and changes nothing', async (_case, body, status, error) => {
      const email = newAddress('refused');
      await register(t, email);
      const caller = await login(t, email, PASSWORD);
      const response = await http()
        .post('/auth/password/change')
        .auth(caller.accessToken, { type: 'bearer' })
        .send(body);
      expect([response.status, (response.body as { error: string }).error]).toEqual([
        status,
        error,
      ]);
      await login(t, email, PASSWORD);
    });

    it('is not open to anonymous callers', async () => {
      await http()
        .post('/auth/password/change')
        .send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
        .expect(401);
    });
  });

  describe('address change', () => {
    it('mails a link to the new address; using it moves the account and tells the old address', async () => {
      const oldAddress = newAddress('old');
      const newAddr = newAddress('new');
      await register(t, oldAddress);
      const caller = await login(t, oldAddress, PASSWORD);
      await http()
        .post('/auth/email/change')
        .auth(caller.accessToken, { type: 'bearer' })
        .send({ newEmail: newAddr, password: PASSWORD })
        .expect(202);
      const link = await t.mailTo(newAddr, 'Confirm your new email address');
      expect(link.links[0]).toMatch(/^http:\/\/localhost:3000\/verify-email\?token=/);
      const me = () =>
        http().get('/auth/me').auth(caller.accessToken, { type: 'bearer' }).expect(200);
      expect((await me()).body).toMatchObject({ email: oldAddress });

      await http()
        .post('/auth/verify-email')
        .send({ token: linkToken(link) })
        .expect(204);
      expect((await me()).body).toMatchObject({ email: newAddr, emailVerified: true });
      const notice = await t.mailTo(oldAddress, 'Your email address was changed');
      expect(notice.text).toContain(newAddr);
      await login(t, newAddr, PASSWORD);
      await http()
        .post('/auth/verify-email')
        .send({ token: linkToken(link) })
        .expect(400);
    });

    it('answers 202 for an address that is taken, mails nobody there and changes nothing', async () => {
      const mine = newAddress('mine');
      const taken = newAddress('taken');
      await register(t, mine);
      await register(t, taken);
      await t.settle();
      const before = sink.messagesTo(taken).length;
      const caller = await login(t, mine, PASSWORD);
      await http()
        .post('/auth/email/change')
        .auth(caller.accessToken, { type: 'bearer' })
        .send({ newEmail: taken, password: PASSWORD })
        .expect(202);
      await t.settle();
      expect(sink.messagesTo(taken)).toHaveLength(before);
      const me = await http()
        .get('/auth/me')
        .auth(caller.accessToken, { type: 'bearer' })
        .expect(200);
      expect(me.body).toMatchObject({ email: mine });
    });

    it('refuses the link when the new address was taken meanwhile, and an old verification link after the move', async () => {
      const mine = newAddress('race-mine');
      const wanted = newAddress('race-wanted');
      await register(t, mine);
      const verifyOld = linkToken(await t.mailTo(mine, 'Verify your email address'));
      const caller = await login(t, mine, PASSWORD);
      await http()
        .post('/auth/email/change')
        .auth(caller.accessToken, { type: 'bearer' })
        .send({ newEmail: wanted, password: PASSWORD })
        .expect(202);
      const link = linkToken(await t.mailTo(wanted, 'Confirm your new email address'));
      await register(t, wanted);
      await http().post('/auth/verify-email').send({ token: link }).expect(400);
      const me = await http()
        .get('/auth/me')
        .auth(caller.accessToken, { type: 'bearer' })
        .expect(200);
      expect(me.body).toMatchObject({ email: mine, emailVerified: false });

      const elsewhere = newAddress('race-elsewhere');
      await http()
        .post('/auth/email/change')
        .auth(caller.accessToken, { type: 'bearer' })
        .send({ newEmail: elsewhere, password: PASSWORD })
        .expect(202);
      const moved = linkToken(await t.mailTo(elsewhere, 'Confirm your new email address'));
      await http().post('/auth/verify-email').send({ token: moved }).expect(204);
      await http().post('/auth/verify-email').send({ token: verifyOld }).expect(400);
    });

    it('needs the password', async () => {
      const email = newAddress('nopass');
      await register(t, email);
      const caller = await login(t, email, PASSWORD);
      await http()
        .post('/auth/email/change')
        .auth(caller.accessToken, { type: 'bearer' })
        .send({ newEmail: newAddress('elsewhere'), password: 'wrong-password-here' })
        .expect(401);
    });
  });
});
