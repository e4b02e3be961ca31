#!/usr/bin/env node
// `npm run bench`: builds both services, runs them as real processes (embedded SQLite, plus an
// auth-service on a fresh PostgreSQL database when one answers) and measures them with
// autocannon in a separate process. Prints a table on stdout (progress on stderr) and writes it
// to artifacts/bench.json. Settings: BENCH_DURATION (seconds, default 5), BENCH_CONNECTIONS
// (default 10), BENCH_DATABASE_URL / TEST_DATABASE_URL (PostgreSQL server).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, login, randomSecret, registerUser, startService } from './services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const duration = Number(process.env.BENCH_DURATION ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const WARMUP_SECONDS = 1;
const RATIO_GOAL = 0.85;
const DEFAULT_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

const note = (message) => process.stderr.write(`# ${message}\n`);

function build() {
  note('building auth-service and resource-service…');
  const result = spawnSync(
    'npx',
    [
      'nx',
      'run-many',
      '-t',
      'build',
      '-p',
      'auth-service',
      'resource-service',
      '--output-style=static',
    ],
    {
      cwd: root,
      env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...process.env },
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}${result.stderr}`);
    throw new Error('build failed');
  }
}

/** Runs tools/bench/load.mjs in a child process and returns autocannon's result. */
function load(options) {
  const result = spawnSync(
    process.execPath,
    [join(root, 'tools', 'bench', 'load.mjs'), JSON.stringify(options)],
    {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (result.status !== 0) throw new Error(`load generator failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

function row(scenario, result) {
  const failures = Object.entries(result.statusCodeStats ?? {})
    .filter(([status]) => !status.startsWith('2'))
    .map(([status, { count }]) => `${status}×${count}`);
  if (result.errors) failures.push(`socket errors×${result.errors}`);
  if (result.timeouts) failures.push(`timeouts×${result.timeouts}`);
  return {
    scenario,
    requestsPerSecond: Math.round(result.requests.average),
    p99Ms: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    errorDetail: failures.join(', '),
  };
}

/** The PostgreSQL server to use, or a reason to skip the row. */
async function findPostgres() {
  const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || DEFAULT_POSTGRES;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { url };
  } catch (error) {
    return { skip: `no PostgreSQL at ${new URL(url).host} (${error.code ?? error.message})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(serverUrl) {
  const name = `keycard_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`).finally(() => admin.end());
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client
        .query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
        .finally(() => client.end());
    },
  };
}

async function startAuth(label, dataDir, extraEnv = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    AUTH_PORT: String(port),
    AUTH_HOST: '127.0.0.1',
    AUTH_ISSUER: url,
    DATA_DIR: dataDir,
    KEYS_ENCRYPTION_SECRET: randomSecret(48),
    COOKIE_SECURE: 'false',
    REFRESH_REUSE_INTERVAL: '0',
    // Setup logs in 3 × connections times from one address; the per-IP login limit currently
    // counts successful logins too (an auth-service bug), so lift it out of the way.
    LOGIN_MAX_FAILURES_PER_IP: '1000000',
    ...extraEnv,
  };
  return startService({ root, app: 'auth-service', label, env, url });
}

/** Refreshes per second: one refresh-token chain per connection, plus spares (see load.mjs). */
async function measureRefresh(scenario, auth) {
  const user = await registerUser(auth.url);
  const tokens = [];
  for (let i = 0; i < connections * 3; i++) tokens.push((await login(auth.url, user)).refreshToken);
  note(`measuring ${scenario}…`);
  return row(
    scenario,
    load({ url: auth.url, connections, duration, warmup: WARMUP_SECONDS, refreshTokens: tokens }),
  );
}

function printTable(rows, ratio) {
  const cells = rows.map((r) => [
    r.scenario,
    r.requestsPerSecond === undefined ? '-' : String(r.requestsPerSecond),
    r.p99Ms === undefined ? '-' : String(r.p99Ms),
    r.errors === undefined ? '-' : String(r.errors),
    r.ratio ?? '',
  ]);
  const header = ['scenario', 'req/s', 'p99 ms', 'errors', 'ratio'];
  const widths = header.map((title, i) =>
    Math.max(title.length, ...cells.map((cell) => cell[i].length)),
  );
  const line = (cell) =>
    cell
      .map((value, i) => (i === 0 ? value.padEnd(widths[i]) : value.padStart(widths[i])))
      .join('  ');
  const output = [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  for (const r of rows) if (r.errorDetail) output.push(`  ${r.scenario}: ${r.errorDetail}`);
  for (const r of rows) if (r.note) output.push(`  ${r.scenario}: ${r.note}`);
  output.push(`  ratio = /me req/s ÷ /health req/s = ${ratio.toFixed(2)} (goal ≥ ${RATIO_GOAL})`);
  output.push(
    `  ${duration} s per scenario after a ${WARMUP_SECONDS} s warm-up, ${connections} connections`,
  );
  process.stdout.write(`${output.join('\n')}\n`);
}

async function main() {
  build();
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-bench-'));
  const cleanups = [() => rmSync(dataDir, { recursive: true, force: true })];
  const rows = [];
  try {
    note('starting the services (logs in artifacts/bench-logs/)…');
    const auth = await startAuth('auth-service.sqlite', dataDir);
    cleanups.unshift(() => auth.stop());
    const resourcePort = await freePort();
    const resource = await startService({
      root,
      app: 'resource-service',
      label: 'resource-service',
      env: {
        RESOURCE_PORT: String(resourcePort),
        RESOURCE_HOST: '127.0.0.1',
        AUTH_ISSUER: auth.url,
        DATA_DIR: dataDir,
      },
      url: `http://127.0.0.1:${resourcePort}`,
    });
    cleanups.unshift(() => resource.stop());

    const { accessToken } = await login(auth.url, await registerUser(auth.url));
    const headers = { authorization: `Bearer ${accessToken}` };
    const me = await fetch(`${resource.url}/me`, { headers });
    if (me.status !== 200)
      throw new Error(`GET /me with a fresh token answered ${me.status}: ${await me.text()}`);

    const scenario = (path, extra = {}) => ({
      url: resource.url,
      path,
      connections,
      duration,
      warmup: WARMUP_SECONDS,
      ...extra,
    });
    note('measuring resource-service GET /health…');
    const health = row('resource GET /health', load(scenario('/health')));
    note('measuring resource-service GET /me…');
    const bearer = row('resource GET /me (JWT)', load(scenario('/me', { headers })));
    const ratio = bearer.requestsPerSecond / health.requestsPerSecond;
    bearer.ratio = `${ratio.toFixed(2)} ${ratio >= RATIO_GOAL ? 'PASS' : 'FAIL'}`;
    rows.push(health, bearer);
    await resource.stop();

    rows.push(await measureRefresh('auth POST /auth/refresh (SQLite)', auth));
    await auth.stop();

    const postgres = await findPostgres();
    if (postgres.skip) {
      rows.push({
        scenario: 'auth POST /auth/refresh (PostgreSQL)',
        note: `skipped: ${postgres.skip}`,
      });
    } else {
      const database = await createDatabase(postgres.url);
      cleanups.push(() => database.drop());
      const pgData = mkdtempSync(join(tmpdir(), 'keycard-bench-pg-'));
      cleanups.push(() => rmSync(pgData, { recursive: true, force: true }));
      const pgAuth = await startAuth('auth-service.postgres', pgData, {
        DATABASE_URL: database.url,
      });
      cleanups.unshift(() => pgAuth.stop());
      rows.push(await measureRefresh('auth POST /auth/refresh (PostgreSQL)', pgAuth));
    }
    printTable(rows, ratio);
    mkdirSync(join(root, 'artifacts'), { recursive: true });
    const report = {
      date: new Date().toISOString(),
      durationSeconds: duration,
      connections,
      ratioGoal: RATIO_GOAL,
      ratio,
      ratioPass: ratio >= RATIO_GOAL,
      rows,
    };
    writeFileSync(join(root, 'artifacts', 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
