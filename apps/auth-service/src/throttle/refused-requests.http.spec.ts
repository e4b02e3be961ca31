import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { AuditService } from '../audit/audit.service';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import { createUser, PASSWORD, startSessionApp } from '../sessions/sessions.test-kit';

jest.setTimeout(120_000);

const WRONG_PASSWORD = 'definitely-not-it-42';
const REGISTER_LIMIT = 3;

/** The value of one series in Prometheus text (0 when absent). */
function sample(text: string, limiter: string): number {
  const series = `keycard_rate_limited_total{limiter="${limiter}",service="auth-service"}`;
  const line = text.split('\n').find((row) => row.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('refused requests over HTTP (the whole AppModule)', () => {
  let t: SessionTestApp;
  let octet = 0;
  /** A fresh client address per case, so cases do not share rate-limit windows. */
  const address = () => `198.51.100.${++octet}`;
  const http = () => request(t.http);
  const rateLimited = async (limiter: string) =>
    sample((await http().get('/metrics').expect(200)).text, limiter);

  async function auditRows(type: string): Promise<AuditEventEntity[]> {
    await t.app.get(AuditService).flush();
    return t.app.get(DataSource).getRepository(AuditEventEntity).findBy({ type });
  }

  /** Refused sign-ins through either API (`auth.login.failure`, `session.login.failure`). */
  const rateLimitedLogins = async () =>
    [
      ...(await auditRows('auth.login.failure')),
      ...(await auditRows('session.login.failure')),
    ].filter((row) => row.details?.['reason'] === 'rate_limited');

  function login(email: string, from: string, path = '/auth/login') {
    return http().post(path).set('X-Forwarded-For', from).send({ email, password: WRONG_PASSWORD });
  }

  function register(
    from: string,
    email = `new-${Math.random().toString(36).slice(2)}@example.test`,
  ) {
    return http()
      .post('/auth/register')
      .set('X-Forwarded-For', from)
      .send({ email, password: PASSWORD });
  }

  beforeAll(async () => {
    t = await startSessionApp({
      TRUST_PROXY: 'true',
      LOGIN_MAX_FAILURES: '2',
      LOGIN_MAX_FAILURES_PER_IP: '5',
      REGISTER_RATE_LIMIT: String(REGISTER_LIMIT),
    });
  });

  afterAll(() => t?.close());

  describe('200 sign-ins already refused with 429 write one audit row, and are all counted', () => {
    interface Attempt {
      i: number;
      from: string;
      emails: string[];
    }
    // Locking: two wrong passwords lock an account (LOGIN_MAX_FAILURES=2); five failures on
    // five accounts lock an address (LOGIN_MAX_FAILURES_PER_IP=5).
    it.each([
      {
        case: 'one address, one locked account',
        lock: ({ from, emails }: Attempt) => [emails[0], emails[0]].map((e) => ({ e, from })),
        attempt: ({ from, emails }: Attempt) => ({ email: emails[0], from }),
      },
      {
        case: 'one locked address trying 200 accounts',
        lock: ({ from, emails }: Attempt) => emails.map((e) => ({ e, from })),
        attempt: ({ i, from }: Attempt) => ({ email: `nobody-${i}@example.test`, from }),
      },
      {
        case: '200 addresses trying one locked account',
        lock: ({ from, emails }: Attempt) => [emails[0], emails[0]].map((e) => ({ e, from })),
        attempt: ({ i, emails }: Attempt) => ({ email: emails[0], from: `2001:db8:${i + 1}::7` }),
      },
    ])('$case', async ({ lock, attempt }) => {
      const from = address();
      const emails = await Promise.all(
        Array.from({ length: 5 }, async () => (await createUser(t)).email),
      );
      for (const failure of lock({ i: 0, from, emails }))
        await login(failure.e, failure.from).expect(401);
      const rowsBefore = (await rateLimitedLogins()).length;
      const countedBefore = await rateLimited('login');

      for (let i = 0; i < 200; i++) {
        const next = attempt({ i, from, emails });
        // Half through each API: both share the throttle and the refusal window.
        const path = i % 2 === 0 ? '/auth/login' : '/session/login';
        const refused = await login(next.email, next.from, path).expect(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }

      expect((await rateLimitedLogins()).length - rowsBefore).toBe(1);
      expect((await rateLimited('login')) - countedBefore).toBe(200);
    });

    it('records the refusal window again once the lockout is over', async () => {
      const from = address();
      const user = await createUser(t);
      for (let i = 0; i < 2; i++) await login(user.email, from).expect(401);
      const rowsBefore = (await rateLimitedLogins()).length;
      for (let i = 0; i < 20; i++) await login(user.email, from).expect(429);
      t.clock.advance(t.config.loginLockout * 1000);
      for (let i = 0; i < 2; i++) await login(user.email, from).expect(401);
      for (let i = 0; i < 20; i++) await login(user.email, from).expect(429);
      expect((await rateLimitedLogins()).length - rowsBefore).toBe(2);
      const rows = (await rateLimitedLogins()).filter((row) => row.subjectId === user.id);
      expect(rows).toHaveLength(2);
      expect(rows[0].details).toMatchObject({
        reason: 'rate_limited',
        emailSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    });
  });

  describe('POST /auth/register is limited per client address', () => {
    it('answers 429 with Retry-After past REGISTER_RATE_LIMIT an hour, and only for that address', async () => {
      const busy = address();
      for (let i = 0; i < REGISTER_LIMIT; i++) await register(busy).expect(201);
      const countedBefore = await rateLimited('register');
      const rowsBefore = (await auditRows('auth.register.rate_limited')).length;

      for (let i = 0; i < 20; i++) {
        const refused = await register(busy).expect(429);
        expect(refused.body).toMatchObject({ statusCode: 429, error: 'rate_limited' });
        const retryAfter = Number(refused.headers['retry-after']);
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(3600);
      }
      await register(address()).expect(201);

      expect((await rateLimited('register')) - countedBefore).toBe(20);
      expect((await auditRows('auth.register.rate_limited')).length - rowsBefore).toBe(1);
      const rows = (await auditRows('auth.register.rate_limited')).filter((row) => row.ip === busy);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ outcome: 'failure', ip: busy, actorId: null });
    });

    it('creates no user when refused', async () => {
      const busy = address();
      for (let i = 0; i < REGISTER_LIMIT; i++) await register(busy).expect(201);
      const email = 'refused-sign-up@example.test';
      await register(busy, email).expect(429);
      expect(await t.users.findByEmail(email)).toBeNull();
    });

    it('counts failed sign-ups too (a 409 for a taken address tells who is registered)', async () => {
      const busy = address();
      const taken = (await createUser(t)).email;
      for (let i = 0; i < REGISTER_LIMIT; i++) await register(busy, taken).expect(409);
      await register(busy).expect(429);
    });

    it('counts an IPv6 /64 as one address', async () => {
      for (let i = 0; i < REGISTER_LIMIT; i++)
        await register(`2001:db8:aa:1::${i + 1}`).expect(201);
      await register('2001:db8:aa:1:ffff::9').expect(429);
      await register('2001:db8:aa:2::1').expect(201);
    });

    it('lets the address sign up again once its hour is over', async () => {
      const busy = address();
      for (let i = 0; i < REGISTER_LIMIT; i++) await register(busy).expect(201);
      await register(busy).expect(429);
      t.clock.advance(3_600_000);
      await register(busy).expect(201);
    });
  });
});
