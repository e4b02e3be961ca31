import type { TokenPair } from './support/api';
import { registerUser } from './support/api';
import type { CreatedApiKey } from './support/api-keys';
import { ReadinessBalancer } from './support/balancer';
import type { HttpResult } from './support/http';
import type { RollResult, Topology } from './support/topology';
import { startTopology, topologyUnavailable } from './support/topology';

// Issue 22: a rolling restart of the docker-compose.yml topology (run natively by
// `npm run topology`) under traffic — the auth-service, then each resource-service replica, one
// at a time: SIGTERM, wait for the exit, start again, wait until ready — loses no request.
// The test plays the load balancer (support/balancer.ts): calls go only to instances whose
// /health/ready answered 200 last (polled every 200 ms), so a draining instance (SHUTDOWN_DRAIN,
// 2 s here) gets no new call; a refused connection is sent once more to a ready instance; while
// the single auth-service has no ready instance, its calls wait. Every answer must be a 2xx but
// the forged token's intended 401, and no call may fail without an answer.
// Skipped outside the topology (E2E_TOPOLOGY=1), like the other topology specs.
const unavailable = topologyUnavailable();
const DRAIN = { SHUTDOWN_DRAIN: '2s' };
/** Pause between steps, so each step's traffic is seen on both sides of it. */
const SETTLE_MS = 1_000;

type Kind = 'login' | 'refresh' | 'bearer' | 'apiKey' | 'forged';

interface Tally {
  /** Answers by `<kind> <status>`. */
  answers: Record<string, number>;
  /** Calls that got no answer at all: `<kind>: <error>`. */
  errors: string[];
  slowestMs: Partial<Record<Kind, number>>;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A token with a valid shape and a broken signature: every replica must refuse it (401). */
function forge(token: string): string {
  const [header, payload, signature] = token.split('.');
  return `${header}.${payload}.${signature.slice(0, -4)}${signature.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
}

(unavailable ? describe.skip : describe)(
  `rolling restart of the topology under traffic${unavailable ? ` (${unavailable})` : ''}`,
  () => {
    let topology: Topology;

    beforeAll(async () => {
      topology = await startTopology('rolling', { authEnv: DRAIN, resourceEnv: DRAIN });
    }, 180_000);
    afterAll(() => topology?.stop());

    it('restarting the auth-service, then each replica, one at a time, loses no request', async () => {
      // One balancer per service; the URLs stay the same across restarts.
      const auth = new ReadinessBalancer([topology.auth.url]);
      const replicas = new ReadinessBalancer(topology.resources.map((replica) => replica.url));
      await Promise.all([auth.start(), replicas.start()]);
      const user = await registerUser(topology);
      const credentials = { email: user.email, password: user.password };
      const first = await auth.request<TokenPair>('POST', '/auth/login', { json: credentials });
      expect(first.status).toBe(200);
      const key = await auth.request<CreatedApiKey>('POST', '/api-keys', {
        bearer: first.body.accessToken,
        json: { name: 'rolling', rateLimit: 100000 },
      });
      expect(key.status).toBe(201);

      const tally: Tally = { answers: {}, errors: [], slowestMs: {} };
      let tokens = first.body;
      let running = true;
      // API keys pause while the auth-service itself restarts: past API_KEY_CACHE_TTL (5 s) a
      // key needs its introspection, and without any auth-service the answer is the documented
      // 503 ("Failure modes", auth-service killed).
      let apiKeys = true;
      const call = async (kind: Kind, send: () => Promise<HttpResult<TokenPair>>) => {
        const started = Date.now();
        try {
          const answer = await send();
          const slot = `${kind} ${answer.status}`;
          tally.answers[slot] = (tally.answers[slot] ?? 0) + 1;
          tally.slowestMs[kind] = Math.max(tally.slowestMs[kind] ?? 0, Date.now() - started);
          return answer;
        } catch (error) {
          tally.errors.push(
            `${kind}: ${(error as Error).message} ${String((error as Error).cause)}`,
          );
          return undefined;
        }
      };
      const loop = async (pauseMs: number, step: () => Promise<unknown>) => {
        while (running) {
          await step();
          await delay(pauseMs);
        }
      };
      const me = (headers: Record<string, string>) => () =>
        replicas.request<TokenPair>('GET', '/me', { headers });
      const workers = [
        loop(50, async () => {
          const answer = await call('refresh', () =>
            auth.request<TokenPair>('POST', '/auth/refresh', {
              json: { refreshToken: tokens.refreshToken },
            }),
          );
          if (answer?.status === 200) tokens = answer.body;
        }),
        loop(250, () =>
          call('login', () =>
            auth.request<TokenPair>('POST', '/auth/login', { json: credentials }),
          ),
        ),
        loop(10, () => call('bearer', me({ authorization: `Bearer ${tokens.accessToken}` }))),
        loop(10, () => call('bearer', me({ authorization: `Bearer ${tokens.accessToken}` }))),
        loop(20, async () => {
          if (apiKeys) await call('apiKey', me({ 'x-api-key': key.body.key }));
        }),
        loop(50, () =>
          call('forged', me({ authorization: `Bearer ${forge(tokens.accessToken)}` })),
        ),
      ];

      const rolls: RollResult[] = [];
      try {
        await delay(SETTLE_MS);
        apiKeys = false;
        rolls.push(await topology.roll('auth'));
        apiKeys = true;
        for (const index of [0, 1] as const) {
          await delay(SETTLE_MS);
          rolls.push(await topology.roll(index));
        }
        await delay(SETTLE_MS);
      } finally {
        running = false;
        await Promise.all(workers);
        await Promise.all([auth.stop(), replicas.stop()]);
      }

      const report = { rolls, tally, auth: auth.stats, replicas: replicas.stats };
      process.stdout.write(`rolling restart: ${JSON.stringify(report, null, 2)}\n`);
      for (const roll of rolls) {
        expect({ service: roll.service, ...roll.exit }).toEqual({
          service: roll.service,
          code: 0,
          signal: null,
          forced: false,
        });
      }
      expect(tally.errors).toEqual([]);
      const unexpected = Object.keys(tally.answers).filter(
        (slot) => !(slot === 'forged 401' || (!slot.startsWith('forged') && / 2\d\d$/.test(slot))),
      );
      expect(unexpected.map((slot) => `${slot} ×${tally.answers[slot]}`)).toEqual([]);
      for (const slot of ['login 200', 'refresh 200', 'bearer 200', 'apiKey 200', 'forged 401'])
        expect(tally.answers[slot] ?? 0).toBeGreaterThan(10);
      // Both replicas took their share.
      for (const served of Object.values(replicas.stats.answeredBy))
        expect(served).toBeGreaterThan(100);
    }, 240_000);
  },
);

// Outside the topology (no E2E_TOPOLOGY=1, or no PostgreSQL/Redis) the reason is reported as a
// skipped test, so a run never passes it silently.
if (unavailable) {
  describe('the rolling restart', () => {
    it.skip(`is skipped: ${unavailable}`, () => undefined);
  });
}
