#!/usr/bin/env node
// `npm run topology`: the docker-compose.yml topology, natively. Builds both services, then runs
// apps/e2e/src/topology.e2e.spec.ts with E2E_TOPOLOGY=1: the harness (apps/e2e/src/support/
// topology.ts) starts one auth-service and two resource-service replicas on free ports of
// 127.0.0.1 with the compose settings, on this machine's PostgreSQL (a scratch database for the
// auth-service and one shared by the replicas, dropped afterwards) and Redis, and checks requests
// through both replicas, a key rotation under load, an auth-service restart, the shared API-key
// rate limit and that no secret reached a log (artifacts/e2e-logs/topology.*); then
// apps/e2e/src/revocation-topology.e2e.spec.ts: revocations reach both replicas on Redis; then
// apps/e2e/src/topology-rolling.e2e.spec.ts: a rolling restart under traffic loses no request.
//
//   TEST_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/postgres (may CREATE DATABASE)
//   TEST_REDIS_URL     default redis://127.0.0.1:6379
//   --skip-build       use the dist/ already built (CI builds once)
//
// Whatever happens to the test run, the script then kills what is left of its process group and
// drops the scratch databases of this run.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Client } = createRequire(import.meta.url)('pg');
const started = Date.now();
const run = randomBytes(4).toString('hex');
const env = {
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  ...process.env,
  TEST_DATABASE_URL: process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  TEST_REDIS_URL: process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379',
  E2E_DATABASE: 'postgres',
  E2E_TOPOLOGY: '1',
  E2E_TOPOLOGY_RUN: run,
};

function log(message) {
  console.log(`[topology] ${message} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function build() {
  const projects = ['-p', 'auth-service', 'resource-service'];
  const args = ['nx', 'run-many', '-t', 'build', ...projects, '--output-style=static'];
  const result = spawnSync('npx', args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Runs jest on the topology spec in its own process group, so nothing it starts can outlive it. */
function runSpec() {
  const jest = join(root, 'node_modules', '.bin', 'jest');
  const args = [
    '--config',
    'apps/e2e/jest.e2e.config.cjs',
    '--runInBand',
    '--ci',
    '--runTestsByPath',
    'apps/e2e/src/topology.e2e.spec.ts',
    // Section 8 on Redis: every revocation case at both replicas, 100 timed sign-outs.
    'apps/e2e/src/revocation-topology.e2e.spec.ts',
    // Issue 22: the auth-service, then each replica, restarted one at a time under traffic.
    'apps/e2e/src/topology-rolling.e2e.spec.ts',
  ];
  const child = spawn(jest, args, { cwd: root, env, stdio: 'inherit', detached: true });
  const forward = (signal) => () => killGroup(child.pid, signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  return new Promise((resolve) => {
    child.on('exit', (code, signal) =>
      resolve({ pid: child.pid, status: code ?? (signal ? 1 : 0) }),
    );
    child.on('error', (error) => {
      console.error(error);
      resolve({ pid: child.pid, status: 1 });
    });
  });
}

/** Signals the process group `pid` leads; false when nothing of it is left. */
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Drops every database this run made (`keycard_topo_<run>_…`), normally none by now. */
async function dropScratchDatabases() {
  const client = new Client({ connectionString: env.TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `keycard_topo_${run}_%`,
    ]);
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    return rows.length;
  } finally {
    await client.end();
  }
}

if (!process.argv.includes('--skip-build')) {
  log('building auth-service and resource-service');
  build();
}
log(`running the topology spec (run ${run})`);
const { pid, status } = await runSpec();
// The services are jest's children, in its group; a crashed run may have left some behind.
if (pid !== undefined && killGroup(pid, 'SIGKILL'))
  log('killed processes a failed run left behind');
const dropped = await dropScratchDatabases();
if (dropped > 0) log(`dropped ${dropped} scratch database(s) a failed run left behind`);
log(status === 0 ? 'passed' : `failed (exit ${status})`);
process.exit(status);
