import type { MeResponse, RegisteredUser, TokenPair } from './support/api';
import { login, refresh, registerUser } from './support/api';
import { decodeJwt, request } from './support/http';
import { clearLogs, findLeaks, readLogs } from './support/log-secrets';
import { expectOneLimitAcross } from './support/rate-limits';
import type { Topology } from './support/topology';
import { startTopology, topologyUnavailable } from './support/topology';

// The docker-compose.yml topology run natively by `npm run topology`; skipped in plain e2e runs.
const unavailable = topologyUnavailable();
const LABEL = 'topology';
/** How many answers each replica gives for a kid before and after the rotation (not a time window). */
const ANSWERS_PER_PHASE = 60;
const WORKERS = 8;

interface Answer {
  status: number;
  replica: number;
  kid: string;
}

function kidOf(token: string): string {
  return String(decodeJwt(token).header['kid']);
}

/** Resolves once `done(answers)` holds, checked after every answer of the flood (no timers). */
type Waiter = { done: (answers: Answer[]) => boolean; resolve: () => void };

/** `GET /me` on every replica with `token`: the statuses, replica by replica. */
async function meEverywhere(topology: Topology, token: string): Promise<number[]> {
  const answers = await Promise.all(
    topology.resources.map((replica) =>
      request<MeResponse>('GET', `${replica.url}/me`, { bearer: token }),
    ),
  );
  return answers.map((answer) => answer.status);
}

/**
 * `WORKERS` loops sending `GET /me` to the replicas in turn, each with one of `tokens()` (read
 * anew for every request, so tokens added meanwhile join in), until `stop` resolves.
 */
async function flood(
  topology: Topology,
  tokens: () => string[],
  stop: Promise<void>,
  waiters: Waiter[],
) {
  const answers: Answer[] = [];
  let stopped = false;
  void stop.then(() => (stopped = true));
  const worker = async (offset: number) => {
    for (let i = offset; !stopped; i++) {
      const replica = i % topology.resources.length;
      const all = tokens();
      const token = all[i % all.length];
      const response = await request('GET', `${topology.resources[replica].url}/me`, {
        bearer: token,
      });
      answers.push({ status: response.status, replica, kid: kidOf(token) });
      for (const waiter of waiters.filter((candidate) => candidate.done(answers))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, offset) => worker(offset)));
  return answers;
}

(unavailable ? describe.skip : describe)(
  'the compose topology: one auth-service, two resource-service replicas, PostgreSQL and Redis',
  () => {
    let topology: Topology;
    let alice: RegisteredUser;
    let beforeRotation: TokenPair;
    let afterRotation: TokenPair;
    let stopped = false;
    const secrets: Record<string, string> = {};

    beforeAll(async () => {
      clearLogs(LABEL);
      topology = await startTopology(LABEL);
    }, 60_000);

    afterAll(async () => {
      if (!stopped) await topology?.stop();
    });

    it('accepts one user token at both replicas, which share one database', async () => {
      alice = await registerUser(topology, 'Alice');
      beforeRotation = await login(topology, alice);
      Object.assign(secrets, {
        password: alice.password,
        'first access token': beforeRotation.accessToken,
      });
      expect(await meEverywhere(topology, beforeRotation.accessToken)).toEqual([200, 200]);

      const [first, second] = topology.resources;
      const created = await request<{ id: string }>('POST', `${first.url}/documents`, {
        bearer: beforeRotation.accessToken,
        json: { title: 'topology', body: 'written at replica 1' },
      });
      expect(created.status).toBe(201);
      const read = await request('GET', `${second.url}/documents/${created.body.id}`, {
        bearer: beforeRotation.accessToken,
      });
      expect(read.status).toBe(200);
    });

    it('rotates the signing key while requests flow: no answer but 200, new tokens accepted by both', async () => {
      const admin = await login(topology, topology.admin);
      secrets['admin access token'] = admin.accessToken;
      const tokens = [beforeRotation.accessToken, admin.accessToken];
      let finish!: () => void;
      const waiters: Waiter[] = [];
      /** Resolves when every replica has answered `count` requests with a token signed by `kid`. */
      const answered = (kid: () => string | undefined, count: number) =>
        new Promise<void>((resolve) =>
          waiters.push({
            resolve,
            done: (all) =>
              topology.resources.every(
                (_, replica) =>
                  all.filter((one) => one.replica === replica && one.kid === kid()).length >= count,
              ),
          }),
        );
      const oldKeyFlowing = answered(() => kidOf(beforeRotation.accessToken), ANSWERS_PER_PHASE);
      const flowing = flood(
        topology,
        () => tokens,
        new Promise<void>((resolve) => (finish = resolve)),
        waiters,
      );
      let answers: Answer[];
      try {
        await oldKeyFlowing;
        const rotate = (force: boolean) =>
          request('POST', `${topology.auth.url}/admin/keys/rotate${force ? '?force=true' : ''}`, {
            bearer: admin.accessToken,
          });
        // JWKS_MAX_AGE is 300 s as in compose, and the next key was published just now.
        expect((await rotate(false)).status).toBe(409);
        expect((await rotate(true)).status).toBe(201);
        afterRotation = await login(topology, alice);
        const newKeyFlowing = answered(() => kidOf(afterRotation.accessToken), ANSWERS_PER_PHASE);
        tokens.push(afterRotation.accessToken);
        await newKeyFlowing;
      } finally {
        finish();
        answers = await flowing;
      }

      const oldKid = kidOf(beforeRotation.accessToken);
      const newKid = kidOf(afterRotation.accessToken);
      expect(newKid).not.toBe(oldKid);
      const refused = answers.filter((answer) => answer.status !== 200);
      expect({ refused: refused.slice(0, 5), count: refused.length }).toEqual({
        refused: [],
        count: 0,
      });
      expect(answers.length).toBeGreaterThan(100);
      for (const replica of [0, 1]) {
        for (const kid of [oldKid, newKid]) {
          expect(answers.some((answer) => answer.replica === replica && answer.kid === kid)).toBe(
            true,
          );
        }
      }
      expect(await meEverywhere(topology, afterRotation.accessToken)).toEqual([200, 200]);
      secrets['second access token'] = afterRotation.accessToken;
      secrets['refresh token'] = afterRotation.refreshToken;
    }, 30_000);

    it('keeps verifying at both replicas while the auth-service is stopped, and garbage stays refused', async () => {
      const result = await topology.auth.process.stop();
      expect(result.forced).toBe(false);
      await expect(fetch(`${topology.auth.url}/health`)).rejects.toThrow();

      for (const token of [beforeRotation.accessToken, afterRotation.accessToken]) {
        expect(await meEverywhere(topology, token)).toEqual([200, 200]);
      }
      const [header, payload, signature] = afterRotation.accessToken.split('.');
      const flipped = `${signature.slice(0, -4)}${signature.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      for (const garbage of ['not-a-jwt', `${header}.${payload}.${flipped}`]) {
        expect(await meEverywhere(topology, garbage)).toEqual([401, 401]);
      }
    });

    it('starts the auth-service again on the same database: old refresh token and a new login work at both replicas', async () => {
      await topology.restartAuth();
      const refreshed = await refresh(topology, afterRotation.refreshToken);
      expect(refreshed.status).toBe(200);
      const again = await login(topology, alice);
      expect(kidOf(again.accessToken)).toBe(kidOf(afterRotation.accessToken));
      for (const token of [refreshed.body.accessToken, again.accessToken]) {
        expect(await meEverywhere(topology, token)).toEqual([200, 200]);
      }
      Object.assign(secrets, {
        'refreshed access token': refreshed.body.accessToken,
        'refreshed refresh token': refreshed.body.refreshToken,
        'third access token': again.accessToken,
      });
    });

    it('counts an API key’s rate limit once across both replicas (shared Redis)', async () => {
      const [first, second] = topology.resources;
      secrets['API key'] = await expectOneLimitAcross(topology, first.url, second.url);
    });

    it('wrote none of the secrets into the logs (auth-service before and after the restart, both replicas)', async () => {
      stopped = true;
      await topology.stop();
      const logs = readLogs(LABEL);
      const processes = ['auth', 'auth-restarted', 'resource-1', 'resource-2'];
      expect(logs.map((log) => log.name.split('.')[1]).sort()).toEqual(
        processes.flatMap((name) => [name, name]), // stdout and stderr of each
      );
      expect(logs.reduce((size, log) => size + log.text.length, 0)).toBeGreaterThan(0);
      expect(findLeaks(logs, { ...topology.secrets, ...secrets })).toEqual([]);
    });
  },
);

if (unavailable) {
  describe('the compose topology', () => {
    it.skip(`is skipped: ${unavailable}`, () => undefined);
  });
}
