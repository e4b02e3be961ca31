#!/usr/bin/env node
// `npm run bench:start`: how fast each built service starts and how much memory it holds idle
// (issue 21, goal 4: ≤ 1.0 s from spawn to the first `GET /health` 200, ≤ 100 MiB resident once
// idle). Both run from dist/ on their default embedded SQLite, on existing data: a first start
// makes the files and keys and is not counted; then BENCH_START_RUNS starts (default 5) each, with
// /health polled every 5 ms. RSS is VmRSS from /proc BENCH_IDLE_SECONDS (default 3) after that 200,
// with no request in between. The resource-service is measured with an auth-service running (it
// finds its issuer at start-up). Medians with the range; the load average is printed since a busy
// machine starts slower. BENCH_START_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=artifacts/prof`)
// is passed to node for every measured start; BENCH_START_DIST measures another build (a copy of
// dist/ inside the checkout, so that it finds node_modules). Needs dist/ (`npm run bench`, or
// `npx nx run-many -t build -p auth-service resource-service`).
// Beside the services, measured the same way in the same run: the stack's floor (stack-floor.cjs,
// a one-route NestJS service on Fastify and TypeORM/SQLite with none of Keycard's code, bare and
// with the libraries every Keycard request goes through) and the bench's oidc-provider peer, so
// the table shows how much of a start is Keycard's own.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  benchClient,
  clockTicksPerSecond,
  cpuTicks,
  freePort,
  randomSecret,
  startService,
} from './services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = Number(process.env.BENCH_START_RUNS ?? 5);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 3);
const nodeArgs = (process.env.BENCH_START_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** Where the built apps are (BENCH_START_DIST, relative to the checkout), e.g. a copy of an earlier build to compare. */
const dist = join(root, process.env.BENCH_START_DIST ?? 'dist');
const GOAL_START_MS = 1000;
const GOAL_RSS_MIB = 100;
const POLL_MS = 5;
const clockTicks = clockTicksPerSecond();

const note = (message) => process.stderr.write(`# ${message}\n`);
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident memory of a running process in MiB (VmRSS of /proc/<pid>/status). */
function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return kib / 1024;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Every setting a service needs, on a fixed port and data directory so each start finds the last one's data. */
async function authEnv(dataDir, client) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    env: {
      AUTH_PORT: String(port),
      AUTH_HOST: '127.0.0.1',
      AUTH_ISSUER: url,
      DATA_DIR: dataDir,
      KEYS_ENCRYPTION_SECRET: randomSecret(48),
      COOKIE_SECURE: 'false',
      BOOTSTRAP_CLIENTS: `${client.id}:${client.secret}:usage:report`,
    },
  };
}

async function resourceEnv(dataDir, client, authUrl) {
  const port = await freePort();
  return {
    url: `http://127.0.0.1:${port}`,
    env: {
      RESOURCE_PORT: String(port),
      RESOURCE_HOST: '127.0.0.1',
      AUTH_ISSUER: authUrl,
      DATA_DIR: dataDir,
      AUTH_CLIENT_ID: client.id,
      AUTH_CLIENT_SECRET: client.secret,
    },
  };
}

/** The stack's floor at one level (see stack-floor.cjs), on its own SQLite file. */
async function floorEnv(dataDir, level) {
  const port = await freePort();
  mkdirSync(dataDir, { recursive: true });
  return {
    url: `http://127.0.0.1:${port}`,
    script: join(root, 'tools', 'bench', 'stack-floor.cjs'),
    env: {
      FLOOR_PORT: String(port),
      FLOOR_DATABASE: join(dataDir, 'floor.sqlite'),
      STACK_FLOOR: level,
    },
  };
}

async function peerEnv(client) {
  const port = await freePort();
  return {
    url: `http://127.0.0.1:${port}`,
    script: join(root, 'tools', 'bench', 'oidc-provider-peer.mjs'),
    env: { PEER_PORT: String(port), PEER_CLIENT_ID: client.id, PEER_CLIENT_SECRET: client.secret },
  };
}

/** One start: spawn to /health 200, then the idle RSS; the process is stopped after. */
async function measureOnce(app, { url, env, script }, label, args) {
  const service = await startService({
    root,
    app,
    label,
    env,
    url,
    nodeArgs: args,
    pollMs: POLL_MS,
    script: script ?? join(dist, 'apps', app, 'main.js'),
  });
  try {
    // CPU time to get there: what the start costs, less sensitive than the wall time to a busy machine.
    const cpuMs = (cpuTicks(service.pid) * 1000) / clockTicks;
    await delay(idleSeconds * 1000);
    return { startMs: service.healthyAfterMs, cpuMs, rssMiB: rssMiB(service.pid) };
  } finally {
    await service.stop();
  }
}

/**
 * Every process's first start (it makes the data, not counted), then BENCH_START_RUNS rounds that
 * start each process once in turn: the machine's state drifts by tenths of a second over minutes
 * here, and rounds let every row see the same drift.
 */
async function measureAll(processes) {
  const label = (app) => `start.${app.replace(/[^a-z0-9-]+/gi, '-')}`;
  const samples = new Map(processes.map(({ app }) => [app, []]));
  for (const { app, settings } of processes) {
    note(`${app}: first start (creates its data, not counted)…`);
    await measureOnce(app, settings, `${label(app)}.first`, []);
  }
  for (let run = 1; run <= runs; run++) {
    note(`round ${run}/${runs}…`);
    for (const { app, settings } of processes)
      samples.get(app).push(await measureOnce(app, settings, label(app), nodeArgs));
  }
  const summary = (values) => ({
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
  });
  return processes.map(({ app }) => ({
    app,
    startMs: summary(samples.get(app).map((s) => s.startMs)),
    cpuMs: summary(samples.get(app).map((s) => s.cpuMs)),
    rssMiB: summary(samples.get(app).map((s) => s.rssMiB)),
    samples: samples.get(app),
  }));
}

/** Rows that are not Keycard's services: measured the same way, judged against no goal. */
const FLOOR_BARE = 'stack floor: Nest + Fastify + TypeORM/SQLite';
const FLOOR_COMMON = 'stack floor + validation, OpenAPI, pino, metrics, terminus, jose';
const PEER = 'oidc-provider 9 (the bench peer)';
const SERVICES = ['auth-service', 'resource-service'];

function report(results, load) {
  const seconds = ({ median: m, min, max }) =>
    `${(m / 1000).toFixed(2)} s (${(min / 1000).toFixed(2)}–${(max / 1000).toFixed(2)})`;
  const verdict = (app, value, goal) =>
    !SERVICES.includes(app) ? '—' : value <= goal ? 'met' : 'not met';
  const lines = [
    `| process | spawn → /health 200 | CPU time to it | goal ≤ ${GOAL_START_MS / 1000} s | idle RSS | goal ≤ ${GOAL_RSS_MIB} MiB |`,
    `| --- | --- | --- | --- | --- | --- |`,
  ];
  for (const { app, startMs, cpuMs, rssMiB: rss } of results) {
    lines.push(
      `| ${app} | ${seconds(startMs)} | ${seconds(cpuMs)} | ${verdict(app, startMs.median, GOAL_START_MS)} ` +
        `| ${rss.median.toFixed(0)} MiB (${rss.min.toFixed(0)}–${rss.max.toFixed(0)}) | ${verdict(app, rss.median, GOAL_RSS_MIB)} |`,
    );
  }
  const floor = results.find((r) => r.app === FLOOR_COMMON);
  for (const service of results.filter((r) => SERVICES.includes(r.app))) {
    lines.push(
      `  ${service.app} above the stack floor with its libraries: ` +
        `${((service.startMs.median - floor.startMs.median) / 1000).toFixed(2)} s to /health, ` +
        `${((service.cpuMs.median - floor.cpuMs.median) / 1000).toFixed(2)} s of CPU, ` +
        `${(service.rssMiB.median - floor.rssMiB.median).toFixed(0)} MiB`,
    );
  }
  const averages = (values) => values.map((v) => v.toFixed(2)).join(' ');
  lines.push(
    `  medians of ${runs} starts each on existing SQLite data (range in brackets); RSS ${idleSeconds} s ` +
      `after the first 200; CPU time = user + system of the process up to that 200 (all its threads); ` +
      `node ${process.version}; load average before ${averages(load.before)}, after ${averages(load.after)}` +
      (nodeArgs.length ? `; node ${nodeArgs.join(' ')}` : ''),
  );
  return lines.join('\n');
}

async function main() {
  for (const app of ['auth-service', 'resource-service']) {
    if (!existsSync(join(dist, 'apps', app, 'main.js')))
      throw new Error(`${dist}/apps/${app}/main.js is missing: build first (see the header)`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-start-'));
  const cleanups = [() => rmSync(dataDir, { recursive: true, force: true })];
  const load = { before: loadavg() };
  try {
    const client = benchClient();
    // The resource-service reads its issuer's discovery document as it starts: an auth-service of
    // its own, on its own data, idle while the rounds run.
    const issuerSettings = await authEnv(join(dataDir, 'issuer'), client);
    const issuer = await startService({
      root,
      app: 'auth-service',
      label: 'start.issuer',
      ...issuerSettings,
    });
    cleanups.unshift(() => issuer.stop());
    const results = await measureAll([
      { app: 'auth-service', settings: await authEnv(join(dataDir, 'auth'), client) },
      {
        app: 'resource-service',
        settings: await resourceEnv(join(dataDir, 'resource'), client, issuerSettings.url),
      },
      { app: FLOOR_BARE, settings: await floorEnv(join(dataDir, 'floor-bare'), 'bare') },
      { app: FLOOR_COMMON, settings: await floorEnv(join(dataDir, 'floor-common'), 'common') },
      { app: PEER, settings: await peerEnv(client) },
    ]);
    load.after = loadavg();
    const table = report(results, load);
    process.stdout.write(`${table}\n`);
    mkdirSync(join(root, 'artifacts'), { recursive: true });
    writeFileSync(
      join(root, 'artifacts', 'bench-start.json'),
      `${JSON.stringify({ results, load, runs, idleSeconds, nodeArgs, node: process.version }, null, 2)}\n`,
    );
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
