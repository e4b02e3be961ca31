import type { TokenPair } from './support/api';
import { login, registerUser } from './support/api';
import { request } from './support/http';
import type { Topology } from './support/topology';
import { startTopology, topologyUnavailable } from './support/topology';

// Issue 22: a rolling restart of the docker-compose.yml topology (run natively by
// `npm run topology`) under traffic — the auth-service, then each resource-service replica, one by
// one, each stopped with SIGTERM (graceful shutdown) and started again — loses no request. The
// test plays the load balancer: it sends to the replicas whose /health/ready answered 200 last,
// and a call whose connection is refused or reset (the replica is going away) is retried on the
// other replica; calls to the auth-service, which has a single instance, are retried until it is
// back. Every answer must then be a 2xx.
// Skipped outside the topology (E2E_TOPOLOGY=1) like the other topology specs, and not yet listed
// in tools/scripts/topology.mjs: it has never run green here (the harness's 20 s start-up limit
// was exceeded on the loaded machine), so it stays out of CI until it has (issue 22, open).
const unavailable = topologyUnavailable();
const WORKERS = 6;

interface Tally {
  answers: Record<string, number>;
  retries: number;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A refused or reset connection (the server is going away or not there yet), not an answer. */
function connectionFailed(error: unknown): boolean {
  return error instanceof Error && error.name !== 'TimeoutError';
}

/** The test's load balancer over the replicas: readiness polled every 200 ms. */
class Balancer {
  private ready: boolean[];
  private turn = 0;
  private polling = true;
  private readonly poller: Promise<void>;

  constructor(
    private readonly topology: Topology,
    private readonly tally: Tally,
  ) {
    this.ready = topology.resources.map(() => true);
    this.poller = this.poll();
  }

  private async poll(): Promise<void> {
    while (this.polling) {
      this.ready = await Promise.all(
        this.topology.resources.map((replica) =>
          fetch(`${replica.url}/health/ready`, { signal: AbortSignal.timeout(1000) }).then(
            (response) => response.status === 200,
            () => false,
          ),
        ),
      );
      await delay(200);
    }
  }

  async stop(): Promise<void> {
    this.polling = false;
    await this.poller;
  }

  /** `GET /me` at a ready replica, retried elsewhere when the connection fails. */
  async me(headers: Record<string, string>): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const candidates = this.topology.resources.filter((_, i) => this.ready[i]);
      const pool = candidates.length ? candidates : this.topology.resources;
      const replica = pool[this.turn++ % pool.length];
      try {
        const answer = await request('GET', `${replica.url}/me`, { headers });
        return answer.status;
      } catch (error) {
        if (!connectionFailed(error)) throw error;
        this.tally.retries++;
        await delay(50);
      }
    }
    throw new Error('no replica answered in 20 attempts');
  }
}

/** `POST /auth/refresh`, retried while the auth-service is away (at most 90 s). */
async function refreshRetrying(topology: Topology, token: string, tally: Tally) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      return await request<TokenPair>('POST', `${topology.auth.url}/auth/refresh`, {
        json: { refreshToken: token },
      });
    } catch (error) {
      if (!connectionFailed(error) || Date.now() > deadline) throw error;
      tally.retries++;
      await delay(200);
    }
  }
}

(unavailable ? describe.skip : describe)(
  `rolling restart of the topology under traffic${unavailable ? ` (${unavailable})` : ''}`,
  () => {
    let topology: Topology;

    beforeAll(async () => {
      topology = await startTopology('rolling');
    }, 120_000);
    afterAll(() => topology?.stop());

    it('restarting the auth-service, then each replica, one by one, loses no request', async () => {
      const user = await registerUser(topology);
      const pair = await login(topology, user);
      const key = await request<{ key: string }>('POST', `${topology.auth.url}/api-keys`, {
        bearer: pair.accessToken,
        json: { name: 'rolling', rateLimit: 100000 },
      });
      expect(key.status).toBe(201);
      const tally: Tally = { answers: {}, retries: 0 };
      const balancer = new Balancer(topology, tally);
      const count = (kind: string, status: number) => {
        const slot = `${kind} ${status}`;
        tally.answers[slot] = (tally.answers[slot] ?? 0) + 1;
      };
      let running = true;
      // API keys only while the auth-service is up: past API_KEY_CACHE_TTL a key needs it, and
      // its answer while the single auth-service restarts is the documented 503.
      let apiKeys = false;
      let refreshToken = pair.refreshToken;
      let accessToken = pair.accessToken;
      const worker = async (index: number) => {
        while (running) {
          if (index === 0) {
            const answer = await refreshRetrying(topology, refreshToken, tally);
            count('refresh', answer.status);
            if (answer.status === 200) ({ refreshToken, accessToken } = answer.body);
          } else if (index % 2 === 1 || !apiKeys) {
            count('bearer', await balancer.me({ authorization: `Bearer ${accessToken}` }));
          } else {
            count('apiKey', await balancer.me({ 'x-api-key': key.body.key }));
          }
          await delay(20);
        }
      };
      const workers = Array.from({ length: WORKERS }, (_, i) => worker(i));
      await delay(1000);
      await topology.auth.process.stop();
      await topology.restartAuth();
      apiKeys = true;
      await delay(1000);
      for (const index of [0, 1] as const) {
        await topology.restartResource(index);
        await delay(1000);
      }
      running = false;
      await Promise.all(workers);
      await balancer.stop();
      const failed = Object.entries(tally.answers).filter(([slot]) => !/ 2\d\d$/.test(slot));
      expect(failed).toEqual([]);
      for (const kind of ['refresh', 'bearer', 'apiKey'])
        expect(tally.answers[`${kind} 200`] ?? 0).toBeGreaterThan(5);
    }, 240_000);
  },
);
