// The fault rows: inject, hold under traffic (with the row's own checks), remove, and time the
// recovery: from removal until one call of every kind gets its healthy answer in the same round.
import { createRequire } from 'node:module';
import { HEALTHY, ROWS } from './expectations.mjs';
import { sleep } from './servers.mjs';
import { API_KEY_CACHE_TTL_S } from './stack.mjs';
import { call, KINDS } from './traffic.mjs';

const { Client: PgClient } = createRequire(import.meta.url)('pg');
const HOLD_MS = Number(process.env.FAULTS_HOLD_MS ?? 8000);
const PROBE_KINDS = ['login', 'refresh', 'sessions', 'page', 'apiKey', 'bearer', 'logout'];

/** Time from now until a round of probes all answer as when healthy. */
async function timeRecovery(stack, boundMs) {
  const started = Date.now();
  while (Date.now() - started < boundMs + 10_000) {
    const answers = await Promise.all(PROBE_KINDS.map((kind) => KINDS[kind](stack.client)));
    if (
      answers.every((answer, i) => HEALTHY[answer.kind ?? PROBE_KINDS[i]].includes(answer.status))
    )
      return Date.now() - started;
    await sleep(100);
  }
  return Number.POSITIVE_INFINITY;
}

/** `GET url` → `{ status, body }`, for probes and metrics. */
const probe = (url) => call(url, { timeoutMs: 3000 });

/** The value of the metric `name` (a series without labels) at `url`, or undefined. */
export async function metric(url, name) {
  const answer = await call(`${url}/metrics`, { timeoutMs: 3000 });
  if (answer.status !== 200) return undefined;
  const line = String(answer.body)
    .split('\n')
    .find((entry) => entry.startsWith(name));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

/** While Redis is out: the auth-service's readiness is 503 naming Redis. */
async function checkRedisNamed(stack, recorder) {
  const ready = await probe(`${stack.auth.url}/health/ready`);
  if (ready.status !== 503 || !ready.body?.error?.redis)
    recorder.fail(`auth /health/ready answered ${ready.status} without naming Redis`);
  const resourceReady = await probe(`${stack.resource.url}/health/ready`);
  if (resourceReady.status !== 200)
    recorder.fail(`resource /health/ready answered ${resourceReady.status} (bearer traffic works)`);
  if ((await metric(stack.resource.url, 'keycard_api_key_rate_limit_fallback')) !== 1)
    recorder.fail(
      'resource metric keycard_api_key_rate_limit_fallback is not 1 while Redis is down',
    );
}

/** Every 200 ms during `ms`: /health/live answers within 500 ms (the event loop is free). */
async function checkEventLoop(stack, recorder, ms) {
  const until = Date.now() + ms;
  let slowest = 0;
  while (Date.now() < until) {
    const answer = await call(`${stack.auth.url}/health/live`, { timeoutMs: 5000 });
    if (answer.status !== 200) recorder.fail(`auth /health/live answered ${answer.status}`);
    slowest = Math.max(slowest, answer.ms);
    await sleep(200);
  }
  if (slowest > 500) recorder.fail(`auth /health/live took ${Math.round(slowest)} ms (bound 500)`);
}

/** While the auth-service is down: resource readiness stays 200 and says it is unreachable. */
async function checkAuthUnreachable(stack, recorder) {
  const ready = await probe(`${stack.resource.url}/health/ready`);
  const detail = ready.body?.details?.authService;
  if (ready.status !== 200) recorder.fail(`resource /health/ready answered ${ready.status}`);
  if (detail?.reachable !== false)
    recorder.fail(`resource /health/ready does not say the auth-service is unreachable`);
  if ((await metric(stack.resource.url, 'keycard_auth_service_reachable')) !== 0)
    recorder.fail('resource metric keycard_auth_service_reachable is not 0');
  // The API-key calls served since the last report the auth-service took wait in memory.
  const pending = await metric(stack.resource.url, 'keycard_api_key_usage_pending');
  if (!(pending > 0))
    recorder.fail(`resource metric keycard_api_key_usage_pending is ${pending}, not above 0`);
}

/** Until Redis answers PING again. */
async function waitForRedis(stack) {
  for (;;) {
    if (
      await stack.redis.command('PING').then(
        () => true,
        () => false,
      )
    )
      return;
    await sleep(50);
  }
}

const FAULTS = {
  'Redis killed': {
    inject: (stack) => stack.redis.kill(),
    during: async (stack, recorder) => {
      await sleep(HOLD_MS / 2);
      await checkRedisNamed(stack, recorder);
      await sleep(HOLD_MS / 2);
    },
    // The new Redis starts empty (no persistence, as in docker-compose.yml): browser sessions
    // ended with the old one, so the client signs in again.
    remove: async (stack) => {
      await stack.redis.start();
      stack.client.forgetSessions();
    },
  },
  'Redis paused (CLIENT PAUSE)': {
    inject: (stack) => stack.redis.command(`CLIENT PAUSE ${HOLD_MS} ALL`),
    // A paused Redis takes no command, CLIENT UNPAUSE included: the pause runs out by itself,
    // and the fault is over when Redis answers again.
    during: async (stack, recorder) => {
      await sleep(HOLD_MS / 2);
      await checkRedisNamed(stack, recorder);
      await waitForRedis(stack);
    },
    remove: async () => undefined,
  },
  'PostgreSQL stopped': {
    inject: (stack) => stack.postgres.stop('fast'),
    during: () => sleep(HOLD_MS),
    remove: (stack) => stack.postgres.start(),
  },
  'PostgreSQL restarted': {
    inject: (stack) => stack.postgres.stop('immediate'),
    during: () => sleep(200),
    remove: (stack) => stack.postgres.start(),
  },
  'PostgreSQL slow (table locked)': {
    inject: async (stack) => {
      const locker = new PgClient({ connectionString: stack.authDb });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE refresh_tokens, refresh_families IN ACCESS EXCLUSIVE MODE');
      stack.locker = locker;
    },
    during: (stack, recorder) => checkEventLoop(stack, recorder, HOLD_MS),
    remove: async (stack) => {
      await stack.locker.query('ROLLBACK');
      await stack.locker.end();
    },
  },
  'auth-service killed': {
    inject: (stack) => stack.auth.kill(),
    during: async (stack, recorder) => {
      await sleep(Math.max(HOLD_MS, (API_KEY_CACHE_TTL_S + 4) * 1000) - 1000);
      await checkAuthUnreachable(stack, recorder);
      await sleep(1000);
      // The fault ends when the new process is ready: its start-up time is reported, not judged.
      const restarting = Date.now();
      recorder.removed();
      await stack.auth.start();
      recorder.current.backAt = Date.now();
      recorder.current.restartMs = Date.now() - restarting;
    },
    remove: async () => undefined,
    /**
     * Past the cache's TTL, a key whose answer is not cached must not be served (no stale 200).
     * Judged up to the restart (`removedAt`), not up to `backAt`: the new process answers
     * introspection a moment before the suite's readiness poll sees it, so an answer just before
     * `backAt` may be fresh (CI saw four at 10.7 s with `backAt` at 10.75 s).
     */
    judge: (kind, answer, startedAt, record) =>
      kind === 'apiKey' &&
      answer.status === 200 &&
      startedAt + answer.ms < (record.removedAt ?? Number.POSITIVE_INFINITY) &&
      startedAt > record.injectedAt + (API_KEY_CACHE_TTL_S + 1) * 1000
        ? 'an API key was served from a cache older than API_KEY_CACHE_TTL'
        : undefined,
  },
};

/** Runs one row under the load loop already running: inject, hold, remove, recover, settle. */
export async function runRow(name, stack, recorder) {
  const fault = FAULTS[name];
  const row = ROWS[name];
  const record = recorder.begin(name, row);
  record.judge = fault.judge;
  let removing;
  try {
    await fault.inject(stack);
    await fault.during(stack, recorder);
  } finally {
    recorder.removed();
    removing = fault.remove(stack);
  }
  const recoveryMs = await timeRecovery(stack, row.recoveryMs);
  await removing;
  recorder.recovered(recoveryMs);
  if (!(recoveryMs <= row.recoveryMs))
    recorder.fail(`recovered in ${recoveryMs} ms (bound ${row.recoveryMs})`);
  await sleep(2000); // healthy answers only, still judged under this row
  recorder.end();
}

export const FAULT_NAMES = Object.keys(FAULTS);
