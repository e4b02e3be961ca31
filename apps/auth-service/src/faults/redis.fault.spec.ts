import { createClient } from 'redis';
import request from 'supertest';
import { ErrorCode } from '@keycard/common';
import type { ThrowawayRedis } from '@keycard/testing';
import { missingFaultTools, startThrowawayRedis } from '@keycard/testing';
import type { FaultApp } from './faults.test-kit';
import { eventually, passwordLogins, startFaultApp } from './faults.test-kit';

const missing = missingFaultTools(['redis']);
const IP_COUNTER = 'keycard:ratelimit:login:ip:127.0.0.1';

/** The per-IP login counter as Redis holds it, read on a connection of the test's own. */
async function ipCounter(redis: ThrowawayRedis): Promise<number> {
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    return Number((await client.get(IP_COUNTER)) ?? 0);
  } finally {
    await client.close();
  }
}

// Fault tier (issue 14, findings 13 and 15): the auth-service (SQLite) with a Redis of the test's
// own that is frozen (SIGSTOP) and killed under it. REDIS_TIMEOUT is 500 ms here.
(missing ? describe.skip : describe)(
  `auth-service with a failing Redis${missing ? ` (${missing})` : ''}`,
  () => {
    let redis: ThrowawayRedis;
    let app: FaultApp;
    let email: string;

    beforeAll(async () => {
      redis = await startThrowawayRedis();
      app = await startFaultApp({ REDIS_URL: redis.url, LOGIN_MAX_FAILURES_PER_IP: '5' });
      email = await app.createUser();
    });
    afterAll(async () => {
      redis?.thaw();
      await app?.close();
      await redis?.destroy();
    });

    it('a paused Redis: logins answer 503 within the timeout, not after the pause, and count nothing', async () => {
      const login = passwordLogins(app.http, email);
      await login.token().expect(200);
      redis.freeze();
      const started = Date.now();
      const answers = await Promise.all(
        [...Array(6).keys()].map((i) => (i % 2 ? login.session() : login.token()).timeout(5000)),
      );
      const elapsed = Date.now() - started;
      redis.thaw();
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.body).toMatchObject({ error: ErrorCode.DependencyUnavailable });
      }
      expect(elapsed).toBeLessThan(3000);
      // The hits that timed out still ran when Redis woke up; their give-backs ran right after.
      await eventually(async () => ({ status: await ipCounter(redis) }), 0, 3000);
      const seen = await eventually(() => login.token(), 200);
      expect(seen).not.toContain(429);
    });

    it('a paused Redis: a session request (GET /sessions) answers 503 within the timeout', async () => {
      const signedIn = await passwordLogins(app.http, email).session().expect(200);
      const cookie = String(signedIn.headers['set-cookie']).split(';')[0];
      redis.freeze();
      const started = Date.now();
      const answer = await request(app.http).get('/sessions').set('Cookie', cookie).timeout(5000);
      const elapsed = Date.now() - started;
      redis.thaw();
      expect(answer.status).toBe(503);
      expect(elapsed).toBeLessThan(3000);
      await eventually(() => request(app.http).get('/sessions').set('Cookie', cookie), 200, 3000);
    });

    it('a killed Redis: 503 (not 500), and sign-in works again without a restart when it is back', async () => {
      const login = passwordLogins(app.http, email);
      await login.session().expect(200);
      await redis.kill();
      for (const attempt of [login.token, login.session, login.token]) {
        const answer = await attempt().timeout(5000);
        expect(answer.status).toBe(503);
        expect(answer.body).toMatchObject({ error: ErrorCode.DependencyUnavailable });
      }
      await redis.start();
      const seen = await eventually(() => login.session(), 200);
      expect(seen.every((status) => status === 503 || status === 200)).toBe(true);
      await login.token().expect(200);
    });
  },
);
