import type { AddressInfo, Server } from 'node:net';
import { createServer } from 'node:net';
import request from 'supertest';
import type { SmtpSink } from '@keycard/testing';
import { startSmtpSink, testBackendUrls } from '@keycard/testing';
import { DataSource } from 'typeorm';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { AuditService } from '../audit/audit.service';
import { MailMessageEntity } from '../mail/mail-message.entity';
import { AccountBackground } from './account-background';
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
 * The account e-mail flows through the whole AppModule, with a real SMTP server (the sink) on
 * SQLite and, when TEST_DATABASE_URL is set, PostgreSQL: tests read the delivered mail and follow
 * its links.
 */
const backends = testBackendUrls();

const PASSWORD = 'kT9#qz!w-registered';
const NEW_PASSWORD = 'nW8$rt-second-pass';
const MINUTE = 60_000;
const INVALID_LINK = {
  statusCode: 400,
  error: 'invalid_token',
  message: 'This link is invalid or has expired',
};

describe.each(backends)('account e-mail flows on %s', (_name, url) => {
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

  async function forgotLink(email: string): Promise<string> {
    const before = sink.messagesTo(email).length;
    await http().post('/auth/password/forgot').send({ email }).expect(202);
    await t.settle();
    const mails = sink.messagesTo(email).filter((m) => m.subject.startsWith('Reset'));
    expect(mails.length).toBeGreaterThan(0);
    expect(sink.messagesTo(email).length).toBeGreaterThan(before);
    return linkToken(mails[mails.length - 1]);
  }

  describe('verification', () => {
    it('mails a link at sign-up; the link verifies the address once', async () => {
      const email = newAddress('verify');
      await register(t, email);
      const mail = await t.mailTo(email, 'Verify your email address');
      expect(mail.links[0]).toMatch(
        /^http:\/\/localhost:3000\/verify-email\?token=[A-Za-z0-9_-]{43}$/,
      );
      expect(mail.text).toContain('expires in 24 hours');
      const { accessToken } = await login(t, email, PASSWORD);
      const me = () => http().get('/auth/me').auth(accessToken, { type: 'bearer' }).expect(200);
      expect((await me()).body).toMatchObject({ email, emailVerified: false });

      await http()
        .post('/auth/verify-email')
        .send({ token: linkToken(mail) })
        .expect(204);
      expect((await me()).body).toMatchObject({ email, emailVerified: true });
      const again = await http()
        .post('/auth/verify-email')
        .send({ token: linkToken(mail) });
      expect({ status: again.status, body: again.body as unknown }).toEqual({
        status: 400,
        body: INVALID_LINK,
      });
    });

    it.each([
      ['an unknown token', 'A'.repeat(43)],
      ['a malformed token', 'not a token'],
      ['an empty token', ''],
    ])('answers 400 invalid_token for %s', async (_case, token) => {
      const response = await http().post('/auth/verify-email').send({ token });
      expect({ status: response.status, body: response.body as unknown }).toEqual({
        status: 400,
        body: INVALID_LINK,
      });
    });

    it('refuses a link after it expired (24 h)', async () => {
      const email = newAddress('expired');
      await register(t, email);
      const token = linkToken(await t.mailTo(email, 'Verify'));
      t.clock.advance(24 * 60 * MINUTE);
      await http().post('/auth/verify-email').send({ token }).expect(400);
    });

    it('resend answers 202 with the same body for known and unknown addresses, and mails only the known', async () => {
      const known = newAddress('resend');
      const unknown = newAddress('nobody');
      await register(t, known);
      await t.settle();
      const answers = await Promise.all(
        [known, unknown].map((email) => http().post('/auth/verify-email/resend').send({ email })),
      );
      expect(answers.map((r) => [r.status, r.text])).toEqual([
        [202, ''],
        [202, ''],
      ]);
      await t.settle();
      expect(sink.messagesTo(known).filter((m) => m.subject.startsWith('Verify'))).toHaveLength(2);
      expect(sink.messagesTo(unknown)).toHaveLength(0);
    });
  });

  describe('password reset', () => {
    it('forgot answers the same for known and unknown addresses; nothing is mailed to an unknown one', async () => {
      const known = newAddress('known');
      const unknown = newAddress('unknown');
      await register(t, known);
      const answers = [];
      for (const email of [known, unknown]) {
        const response = await http().post('/auth/password/forgot').send({ email });
        answers.push({
          status: response.status,
          body: response.text,
          type: response.headers['content-type'],
        });
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0].status).toBe(202);
      await t.settle();
      const mail = await t.mailTo(known, 'Reset your password');
      expect(mail.links[0]).toMatch(
        /^http:\/\/localhost:3000\/reset-password\?token=[A-Za-z0-9_-]{43}$/,
      );
      expect(mail.text).toContain('expires in 30 minutes');
      expect(sink.messagesTo(unknown)).toHaveLength(0);
    });

    it('reset sets the password, signs the user out everywhere, is single-use and audited', async () => {
      const email = newAddress('reset');
      const user = await register(t, email);
      const tokens = await login(t, email, PASSWORD);
      const session = await sessionSignIn(t, email, PASSWORD);
      const token = await forgotLink(email);

      await http().post('/auth/password/reset').send({ token, password: NEW_PASSWORD }).expect(204);

      await http().post('/auth/refresh').send({ refreshToken: tokens.refreshToken }).expect(401);
      await http().get('/auth/me').auth(tokens.accessToken, { type: 'bearer' }).expect(401);
      await http().get('/auth/me').set('Cookie', session.cookie).expect(401);
      await http().post('/auth/login').send({ email, password: PASSWORD }).expect(401);
      const fresh = await login(t, email, NEW_PASSWORD);
      const me = await http()
        .get('/auth/me')
        .auth(fresh.accessToken, { type: 'bearer' })
        .expect(200);
      expect(me.body).toMatchObject({ emailVerified: true });
      const reuse = await http()
        .post('/auth/password/reset')
        .send({ token, password: 'another-0ne-pass' });
      expect({ status: reuse.status, body: reuse.body as unknown }).toEqual({
        status: 400,
        body: INVALID_LINK,
      });
      await t.settle();
      expect(await t.mailTo(email, 'Your password was changed')).toBeDefined();
      await t.app.get(AuditService).flush();
      const rows = await t.app.get(DataSource).getRepository(AuditEventEntity).findBy({
        type: 'account.password_reset',
        subjectId: user.id,
      });
      expect(rows).toHaveLength(1);
    });

    it('a weak password is refused (400 weak_password) and the link stays usable', async () => {
      const email = newAddress('weak');
      await register(t, email);
      const token = await forgotLink(email);
      for (const password of ['password1', 'Qwertyuiop', 'short']) {
        const response = await http().post('/auth/password/reset').send({ token, password });
        expect([response.status, (response.body as { error: string }).error]).toEqual([
          400,
          'weak_password',
        ]);
      }
      await http().post('/auth/password/reset').send({ token, password: NEW_PASSWORD }).expect(204);
    });

    it('a newer link voids the older ones', async () => {
      const email = newAddress('newer');
      await register(t, email);
      const first = await forgotLink(email);
      const second = await forgotLink(email);
      expect(second).not.toBe(first);
      await http()
        .post('/auth/password/reset')
        .send({ token: first, password: NEW_PASSWORD })
        .expect(400);
      await http()
        .post('/auth/password/reset')
        .send({ token: second, password: NEW_PASSWORD })
        .expect(204);
    });

    it('a link expires after PASSWORD_RESET_TTL (30 minutes)', async () => {
      const email = newAddress('ttl');
      await register(t, email);
      const token = await forgotLink(email);
      t.clock.advance(30 * MINUTE);
      await http().post('/auth/password/reset').send({ token, password: NEW_PASSWORD }).expect(400);
      await login(t, email, PASSWORD);
    });
  });
});

describe('no request waits on SMTP', () => {
  let silent: Server;
  let t: AccountTestApp;
  let sink: SmtpSink;

  beforeAll(async () => {
    // Accepts connections and never says a word: the worst SMTP server there is.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    sink = await startSmtpSink();
    t = await startAccountApp({ ...sink, url: `smtp://127.0.0.1:${port}` }, undefined);
  }, 60_000);
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await sink?.close();
    silent?.close();
  });

  it('sign-up and forgot answer at once while the SMTP server hangs; the mails wait in the outbox', async () => {
    const email = newAddress('hang');
    const started = Date.now();
    await register(t, email);
    await request(t.http).post('/auth/password/forgot').send({ email }).expect(202);
    expect(Date.now() - started).toBeLessThan(2000);
    await t.app.get(AccountBackground).idle();
    const rows = await t.app.get(DataSource).getRepository(MailMessageEntity).findBy({ to: email });
    expect(rows.map((row) => row.status)).toEqual(['pending', 'pending']);
    const metrics = await request(t.http).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/keycard_mail_total\{[^}]*outcome="queued"[^}]*\} 2/);
  });
});
