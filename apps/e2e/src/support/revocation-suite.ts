import type { TokenPair } from './api';
import { login, registerUser } from './api';
import { request } from './http';
import type { RevocationTarget } from './revocation';
import {
  distribution,
  msUntilRefused,
  REVOCATION_CASES,
  signingKeyCase,
  statusesAt,
} from './revocation';

/** A running auth-service with two replicas, and what the suite may do to them. */
export interface RevocationWorld {
  target: RevocationTarget;
  restartAuth(): Promise<void>;
  /** Stops replica `index`, runs `whileDown`, then starts it again. */
  restartReplica(index: 0 | 1, whileDown: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** Section 8's bound: every replica refuses a revoked credential within one second. */
const WITHIN_MS = 1000;
const SIGN_OUTS = 100;

/**
 * API.md section 8 against real processes: each case refused at both replicas within a second;
 * 100 sign-outs timed while traffic flows, with a replica and the auth-service restarted on the
 * way. Shared by the embedded default (the stream) and the compose topology (Redis).
 */
export function revocationSuite(delivery: string, start: () => Promise<RevocationWorld>): void {
  let world: RevocationWorld;
  const replicas = () => world.target.replicas;

  beforeAll(async () => {
    world = await start();
  }, 120_000);
  afterAll(() => world?.stop());

  it.each(REVOCATION_CASES.map((c) => [c.name, c] as const))(
    `${delivery}: %s — refused at both replicas within a second`,
    async (_name, revocationCase) => {
      const armed = await revocationCase.arrange(world.target);
      expect(await statusesAt(replicas(), armed.credential)).toEqual([200, 200]);
      await armed.revoke();
      const elapsed = await msUntilRefused(replicas(), armed.credential, 5000);
      expect(elapsed.map((ms) => ms <= WITHIN_MS)).toEqual([true, true]);
    },
    30_000,
  );

  it(`${delivery}: ${SIGN_OUTS} sign-outs while traffic flows, p99 ≤ 1 s at each replica; a replica and the auth-service restarted on the way lose nothing`, async () => {
    const user = await registerUser(world.target, 'Signs out');
    const logins: TokenPair[] = [];
    for (let i = 0; i < SIGN_OUTS; i++) logins.push(await login(world.target, user));
    const traffic = await login(world.target, await registerUser(world.target, 'Traffic'));
    const timings: number[][] = [[], []];
    let flowing = true;
    // Paused while a process restarts: on a busy machine a start-up competes with the traffic.
    let paused: Promise<void> | undefined;
    const trafficAnswers: number[] = [];
    const flood = (async () => {
      for (let i = 0; flowing; i++) {
        if (paused) await paused;
        const replica = replicas()[i % 2];
        // 0: the replica is restarting and refused the connection.
        const answer = await request('GET', `${replica.url}/me`, {
          bearer: traffic.accessToken,
        }).catch(() => ({ status: 0 }));
        trafficAnswers.push(answer.status);
      }
    })();
    const signOut = async (pair: TokenPair) => {
      const answer = await request('POST', `${world.target.auth.url}/auth/logout`, {
        json: { refreshToken: pair.refreshToken },
      });
      expect(answer.status).toBe(204);
    };
    try {
      for (let i = 0; i < SIGN_OUTS; i++) {
        if (i === 40) {
          // Replica 2 restarts; five sign-outs happen while it is down. Once it answers again it
          // refuses them, and every earlier one, from its first request.
          let resume!: () => void;
          paused = new Promise((resolve) => (resume = resolve));
          await world.restartReplica(1, async () => {
            for (const pair of logins.slice(40, 45)) await signOut(pair);
          });
          paused = undefined;
          resume();
          for (const pair of logins.slice(0, 45)) {
            expect(await statusesAt(replicas(), { bearer: pair.accessToken })).toEqual([401, 401]);
          }
          i = 44;
          continue;
        }
        if (i === 70) {
          // The auth-service restarts: what was revoked before it stopped stays refused, and
          // the replicas pick up the stream (or the channel) again.
          let resume!: () => void;
          paused = new Promise((resolve) => (resume = resolve));
          await world.restartAuth();
          paused = undefined;
          resume();
          const probe = await login(world.target, user);
          await signOut(probe);
          const back = await msUntilRefused(replicas(), { bearer: probe.accessToken }, 10_000);
          expect(back.every(Number.isFinite)).toBe(true);
        }
        await signOut(logins[i]);
        const elapsed = await msUntilRefused(replicas(), { bearer: logins[i].accessToken }, 5000);
        elapsed.forEach((ms, replica) => timings[replica].push(ms));
      }
    } finally {
      flowing = false;
      await flood;
    }
    for (const pair of logins) {
      expect(await statusesAt(replicas(), { bearer: pair.accessToken })).toEqual([401, 401]);
    }
    const summaries = timings.map((values, replica) => {
      const d = distribution(values);
      process.stdout.write(`[revocation ${delivery}] replica ${replica + 1}: ${d.line}\n`);
      return d;
    });
    expect(summaries.map((d) => d.p99 <= WITHIN_MS)).toEqual([true, true]);
    expect(trafficAnswers.filter((status) => status !== 200 && status !== 0)).toEqual([]);
  }, 300_000);

  it(`${delivery}: a signing key revoked — its tokens refused at both replicas within a second`, async () => {
    const armed = await signingKeyCase(world.target);
    expect(await statusesAt(replicas(), armed.credential)).toEqual([200, 200]);
    await armed.revoke();
    const elapsed = await msUntilRefused(replicas(), armed.credential, 5000);
    expect(elapsed.map((ms) => ms <= WITHIN_MS)).toEqual([true, true]);
  }, 30_000);
}
