// Starting and stopping the built services for the benchmark: real processes, output to log files
// under artifacts/bench-logs/ so the terminal shows only the results, optionally pinned to one CPU
// with taskset (see `pinning`).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function randomSecret(length) {
  return randomBytes(length).toString('base64url').slice(0, length);
}

const TASKSET = '/usr/bin/taskset';

/**
 * Whether to pin the servers and the load generator to separate CPUs ("2 cores, autocannon on
 * one, server on the other"): with taskset and at least two CPUs, unless BENCH_PIN=0. Returns
 * `{ pinned, loadCpu, serverCpu, reason }`: the load generator on CPU 0, the servers on the last.
 */
export function pinning(env = process.env) {
  const cpus = availableParallelism();
  const reason =
    env.BENCH_PIN === '0'
      ? 'BENCH_PIN=0'
      : !existsSync(TASKSET)
        ? `no ${TASKSET}`
        : cpus < 2
          ? `${cpus} CPU`
          : undefined;
  return reason
    ? { pinned: false, reason }
    : { pinned: true, loadCpu: 0, serverCpu: cpus - 1, reason: `${cpus} CPUs` };
}

/**
 * `[command, args]` running `node <args>`, through `taskset -c <cpu>` when `cpu` is given.
 * taskset execs node in its own process, so the child's pid is node's.
 */
export function nodeCommand(args, cpu) {
  return cpu === undefined
    ? [process.execPath, args]
    : [TASKSET, ['-c', String(cpu), process.execPath, ...args]];
}

/**
 * Moves every thread of a running process to `cpu` (`taskset -a -p`). Servers are pinned once
 * started rather than started pinned: Node and V8 size their helper threads (GC, compilation) from
 * the CPUs they see at start-up, and a server started on one CPU ran every route about a quarter
 * slower here, on a machine that has two.
 */
export function pinRunning(pid, cpu) {
  const result = spawnSync(TASKSET, ['-a', '-p', '-c', String(cpu), String(pid)], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`taskset could not pin ${pid}: ${result.stderr}`);
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Only what node needs: the developer's DATABASE_URL and friends must not leak into a run. No
 * load balancer watches a bench service's readiness, so its graceful stop skips the drain.
 */
function cleanEnv(env) {
  const base = { NO_COLOR: '1', SHUTDOWN_DRAIN: '0s' };
  for (const name of ['PATH', 'HOME', 'LANG', 'TMPDIR'])
    if (process.env[name]) base[name] = process.env[name];
  return { ...base, ...env };
}

/**
 * Starts `node dist/apps/<app>/main.js` (or `node <script>`); resolves once `GET /health` answers 200 (and the process
 * is pinned to `cpu`, when given), with `{ url, logPath, pid, healthyAfterMs, stop() }` (`pid` for
 * /proc/<pid>/stat; `healthyAfterMs`: from spawn to that 200, to within `pollMs`).
 */
export async function startService({
  root,
  app,
  label,
  env,
  url,
  nodeArgs = [],
  cpu,
  script,
  pollMs = 100,
}) {
  const logDir = join(root, 'artifacts', 'bench-logs');
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `${label}.log`);
  const log = openSync(logPath, 'w');
  const main = script ?? join(root, 'dist', 'apps', app, 'main.js');
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: root,
    env: cleanEnv(env),
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let running = true;
  void exited.then(() => (running = false));
  const service = {
    url,
    logPath,
    pid: child.pid,
    healthyAfterMs: undefined,
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && running) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) {
        service.healthyAfterMs = performance.now() - spawnedAt;
        if (cpu !== undefined) pinRunning(child.pid, cpu);
        return service;
      }
    } catch {
      // not listening yet
    }
    await delay(pollMs);
  }
  await service.stop();
  const tail = readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
  throw new Error(`${label} did not become healthy at ${url}/health (log ${logPath}):\n${tail}`);
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Registers a fresh user on an auth-service and returns its credentials. */
export async function registerUser(authUrl) {
  const user = { email: `bench-${randomSecret(10)}@example.test`, password: randomSecret(20) };
  await post(`${authUrl}/auth/register`, { ...user, name: 'Bench' });
  return user;
}

/** One password login: a fresh refresh-token family. */
export function login(authUrl, user) {
  return post(`${authUrl}/auth/login`, user);
}

/** A fresh API key of the user of `accessToken` (`POST /api-keys`), e.g. `{ rateLimit }`. */
export async function createApiKey(authUrl, accessToken, input) {
  const response = await fetch(`${authUrl}/api-keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ name: 'bench', ...input }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /api-keys: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** A service client pair for `BOOTSTRAP_CLIENTS` (auth-service) and AUTH_CLIENT_* (resource-service). */
export function benchClient() {
  return { id: 'bench-resource', secret: randomSecret(40) };
}

/** `Authorization: Basic` for a client (RFC 6749 §2.3.1; the bench ids and secrets need no escaping). */
export function basicAuth(client) {
  return `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;
}

/**
 * CPU time (user + system, fields 14 and 15 of /proc/<pid>/stat) the process has used, in clock
 * ticks, or undefined without /proc. The fields are counted after the `)` closing the command
 * name, which may itself contain spaces.
 */
export function cpuTicks(pid) {
  const path = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(path)) return undefined;
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3
  return Number(fields[11]) + Number(fields[12]);
}

export function clockTicksPerSecond() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** What went wrong in an autocannon result: non-2xx statuses with counts, socket errors, timeouts. */
export function failureDetail(result) {
  const detail = Object.entries(result.statusCodeStats ?? {})
    .filter(([status]) => !status.startsWith('2'))
    .map(([status, { count }]) => `${status}×${count}`);
  if (result.errors) detail.push(`socket errors×${result.errors}`);
  if (result.timeouts) detail.push(`timeouts×${result.timeouts}`);
  return detail.join(', ');
}

/**
 * One paired slice as load.mjs reports it: autocannon's `result` of round `round`, with the
 * server's CPU µs per request from its CPU ticks before and after (null without /proc).
 */
export function sliceRecord(round, result, cpuBefore, cpuAfter, clockTicks) {
  return {
    round,
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    errorDetail: failureDetail(result),
    requests: result.requests.total,
    cpuUsPerRequest:
      cpuBefore === undefined || cpuAfter === undefined || !result.requests.total
        ? null
        : ((cpuAfter - cpuBefore) * 1e6) / clockTicks / result.requests.total,
  };
}
