import request from 'supertest';
import { DataSource } from 'typeorm';
import type { SmtpSink } from '@keycard/testing';
import { startSmtpSink, testBackendUrls } from '@keycard/testing';
import { loginForm } from '../sessions/sessions.test-kit';
import { AccountBackground } from './account-background';
import type { AccountTestApp } from './account.test-kit';
import {
  linkToken,
  newAddress,
  register,
  startAccountApp,
  startRemoteClient,
} from './account.test-kit';

/*
 * The limits and the enumeration rules of the account mail requests (default limits: 5 an hour per
 * address, 30 in ten minutes per client IP), REQUIRE_VERIFIED_EMAIL and the sign-up password
 * policy, on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL. Behind TRUST_PROXY, so each
 * test speaks from its own client address.
 */
const backends = testBackendUrls();

const PASSWORD = 'kT9#qz!w-registered';
/** Statements of the reset and verification flows: users, link tokens, a queued mail. */
const FLOW_SQL = /"users"|"account_tokens"|INSERT INTO "mail_outbox"/;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}
const median = (values: number[]) => quantile(values, 0.5);
const iqr = (values: number[]) => quantile(values, 0.75) - quantile(values, 0.25);

describe.each(backends)('account mail limits and sign-in rules on %s', (_name, url) => {
  let sink: SmtpSink;
  let t: AccountTestApp;
  let ipCounter = 0;
  const http = () => request(t.http);
  /** A client address of its own for each caller. */
  const nextIp = () => {
    ipCounter += 1;
    return `198.51.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startAccountApp(sink, url, { TRUST_PROXY: 'true', REQUIRE_VERIFIED_EMAIL: 'true' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  const forgot = (email: string, ip: string) =>
    http().post('/auth/password/forgot').set('X-Forwarded-For', ip).send({ email });

  it.each([
    ['known', true],
    ['unknown', false],
  ])(
    'allows 5 requests an hour for one %s address, then 429 with Retry-After',
    async (_kind, known) => {
      const email = newAddress('limited');
      if (known) await register(t, email);
      const statuses = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await forgot(email, nextIp())).status);
      expect(statuses).toEqual([202, 202, 202, 202, 202]);
      const refused = await http()
        .post('/auth/verify-email/resend')
        .set('X-Forwarded-For', nextIp())
        .send({ email });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(3600);
      await t.settle();
      expect(sink.messagesTo(email).filter((m) => m.subject.startsWith('Reset'))).toHaveLength(
        known ? 5 : 0,
      );
      t.clock.advance(3600_000);
      expect((await forgot(email, nextIp())).status).toBe(202);
    },
  );

  it('allows 30 requests in ten minutes from one client IP, known and unknown addresses alike', async () => {
    const ip = nextIp();
    const known = newAddress('ip-known');
    await register(t, known);
    const statuses = [];
    for (let i = 0; i < 30; i += 1) {
      statuses.push((await forgot(i === 0 ? known : newAddress('ip'), ip)).status);
    }
    expect(statuses.every((status) => status === 202)).toBe(true);
    const refused = await forgot(newAddress('ip'), ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(600);
    expect((refused.body as { error: string }).error).toBe('rate_limited');
    expect((await forgot(newAddress('ip'), nextIp())).status).toBe(202);
  });

  it('forgot takes about the same time for known and unknown addresses (medians within noise)', async () => {
    const known: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const email = newAddress('timed');
      await t.users.create({ email, password: PASSWORD });
      known.push(email);
    }
    await t.app.listen(0, '127.0.0.1');
    const url = `${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/auth/password/forgot`;
    const client = startRemoteClient();
    const timings = { known: [] as number[], unknown: [] as number[] };
    try {
      for (let i = 0; i < 3; i += 1)
        await client.post(url, { email: newAddress('warm-up') }, { 'x-forwarded-for': nextIp() });
      for (let i = 0; i < 20; i += 1) {
        const kinds =
          i % 2 === 0 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const);
        for (const kind of kinds) {
          const email = kind === 'known' ? known[i] : newAddress('timed-unknown');
          await t.settle();
          const { status, ms } = await client.post(url, { email }, { 'x-forwarded-for': nextIp() });
          expect(status).toBe(202);
          timings[kind].push(ms);
        }
      }
    } finally {
      client.close();
    }
    await t.settle();
    expect(sink.messagesTo(known[0])).toHaveLength(1);
    // "Within noise": the medians may differ by no more than the spread (interquartile range) of
    // the answers themselves, so a loaded machine widens the bound and a quiet one narrows it.
    const noise = Math.max(2, iqr(timings.known), iqr(timings.unknown));
    const gap = Math.abs(median(timings.known) - median(timings.unknown));
    expect({ gap, noise, within: gap <= noise }).toMatchObject({ within: true });
  });

  it('forgot and resend run the same SQL before answering for known and unknown addresses: none', async () => {
    const known = newAddress('sql-known');
    await register(t, known);
    await t.settle();
    const dataSource = t.app.get(DataSource);
    const logQuery = dataSource.logger.logQuery.bind(dataSource.logger);
    const deferred: (() => Promise<void>)[] = [];
    const run = jest
      .spyOn(AccountBackground.prototype, 'run')
      .mockImplementation((_label, work) => void deferred.push(work));
    const counts: Record<string, number> = {};
    try {
      for (const [kind, email] of [
        ['known', known],
        ['unknown', newAddress('sql-unknown')],
      ]) {
        for (const path of ['/auth/password/forgot', '/auth/verify-email/resend']) {
          let queries = 0;
          // Only the flows' own tables: timers (outbox poll, retention job) may query others meanwhile.
          dataSource.logger.logQuery = (query, ...rest) => {
            if (FLOW_SQL.test(query)) queries += 1;
            logQuery(query, ...rest);
          };
          await http().post(path).set('X-Forwarded-For', nextIp()).send({ email }).expect(202);
          counts[`${kind} ${path}`] = queries;
        }
      }
    } finally {
      dataSource.logger.logQuery = logQuery;
      run.mockRestore();
    }
    expect(counts).toEqual({
      'known /auth/password/forgot': 0,
      'known /auth/verify-email/resend': 0,
      'unknown /auth/password/forgot': 0,
      'unknown /auth/verify-email/resend': 0,
    });
    expect(deferred).toHaveLength(4);
    for (const work of deferred) await work();
    await t.settle();
    expect(sink.messagesTo(known).filter((m) => m.subject.startsWith('Reset'))).toHaveLength(1);
  });

  it('REQUIRE_VERIFIED_EMAIL: an unverified address cannot sign in (API and session), a verified one can', async () => {
    const email = newAddress('unverified');
    await register(t, email);
    const credentials = { email, password: PASSWORD };
    for (const path of ['/auth/login', '/session/login']) {
      const response = await http().post(path).set('X-Forwarded-For', nextIp()).send(credentials);
      expect([path, response.status, (response.body as { error: string }).error]).toEqual([
        path,
        403,
        'email_not_verified',
      ]);
    }
    const wrong = await http().post('/auth/login').send({ email, password: 'wrong-password-1' });
    expect(wrong.status).toBe(401);
    const token = linkToken(await t.mailTo(email, 'Verify your email address'));
    await http().post('/auth/verify-email').send({ token }).expect(204);
    await http().post('/auth/login').send(credentials).expect(200);
    await http().post('/session/login').send(credentials).expect(200);
  });

  it('REQUIRE_VERIFIED_EMAIL: the sign-in form comes back saying why, with a way to a new link', async () => {
    const email = newAddress('unverified-form');
    await register(t, email);
    const form = await loginForm(t);
    const answer = await http()
      .post('/session/login')
      .set('Cookie', form.cookie)
      .type('form')
      .send({ _csrf: form.csrf, email, password: PASSWORD })
      .expect(303);
    expect(answer.headers['location']).toBe('/login?error=email_not_verified');
    const page = await http().get('/login?error=email_not_verified').expect(200);
    expect(page.text).toContain('Verify your email address first');
    expect(page.text).toContain('href="/verify-email"');
  });

  it.each(['password1', 'Sunshine1', 'short'])(
    'sign-up refuses the password %s with 400 weak_password',
    async (password) => {
      const response = await http()
        .post('/auth/register')
        .send({ email: newAddress('weak'), password });
      expect(response.status).toBe(400);
      expect((response.body as { error: string }).error).toBe('weak_password');
    },
  );
});
