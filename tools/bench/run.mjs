#!/usr/bin/env node
// `npm run bench`: builds both services, runs them as real processes (embedded SQLite, plus an
// auth-service on a fresh PostgreSQL database when one answers) and measures them with
// autocannon in a separate process. With taskset and at least two CPUs the servers run on the last
// CPU and the load generator on CPU 0 (BENCH_PIN=0: no pinning). The three resource-service
// scenarios run as paired slices in one load-generator process (see load.mjs): BENCH_ROUNDS rounds
// (default 21) of BENCH_SLICE seconds (default 2) per scenario, back to back, and each /me ratio to
// /health is the median of the per-round ratios, so that the machine's drift between seconds
// cancels out. Prints a table on stdout (progress on stderr) and writes it to
// artifacts/bench.json. During those scenarios the auth-service runs on the load generator's CPU
// (it only answers API-key re-checks and usage reports then). Client-credentials grants are paired
// the same way with a Nest route that only signs a token (tools/bench/sign-baseline.cjs, on Express
// and on Fastify) and with their peer, oidc-provider 9.13 configured alike
// (tools/bench/oidc-provider-peer.mjs), BENCH_GRANT_ROUNDS rounds (default 11). authorization_code
// redemptions run through tools/bench/authorization-code.mjs (its own auth-service and sign-only
// route, codes minted before every round), BENCH_GRANT_ROUNDS rounds too, BENCH_CODES codes a round.
// Refreshes on SQLite and on PostgreSQL are paired the same way (BENCH_GRANT_ROUNDS rounds) with
// the same rotation done by hand on the same database (tools/bench/refresh-floor.cjs; on SQLite
// also without the fsync of each commit) and with the sign-only route on Fastify.
// Other settings: BENCH_CONNECTIONS (default 10), BENCH_DATABASE_URL / TEST_DATABASE_URL (PostgreSQL server),
// BENCH_ONLY=resource (only the resource-service scenarios: /health, /me with a JWT and an API key),
// BENCH_ONLY=grants (only the client-credentials grants, their sign-only routes and their peer),
// BENCH_ONLY=refresh (only the refreshes and their bounds).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  basicAuth,
  benchClient,
  clockTicksPerSecond,
  cpuTicks,
  createApiKey,
  freePort,
  login,
  nodeCommand,
  pinning,
  pinRunning,
  randomSecret,
  registerUser,
  startService,
} from './services.mjs';
import {
  forgotRequest,
  mailCounts,
  startSmtpSink,
  stoppedSmtpUrl,
  UNLIMITED_ACCOUNT_MAIL,
} from './forgot.mjs';
import { createDatabase, findPostgres } from './postgres.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
/**
 * The resource-service scenarios take turns in short slices, round after round: this machine's
 * speed drifts by a third between consecutive seconds, so separate 5-s runs gave ratios swinging
 * ±0.1. A ratio of two slices of the same round, seconds apart, mostly cancels the drift out.
 */
const slice = Number(process.env.BENCH_SLICE ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 21);
const SLICE_WARMUP_SECONDS = 2;
/** Rounds of the grant scenarios (BENCH_GRANT_ROUNDS): two scenarios, a slower server. */
const grantRounds = Number(process.env.BENCH_GRANT_ROUNDS ?? 11);
const resourceOnly = process.env.BENCH_ONLY === 'resource';
const grantsOnly = process.env.BENCH_ONLY === 'grants';
const refreshOnly = process.env.BENCH_ONLY === 'refresh';
const pin = pinning();
/** Goals of the /me scenarios against /health (issues 15 and 16): a cached JWT, a cached API key. */
const JWT_RATIO_GOAL = 0.9;
const API_KEY_RATIO_GOAL = 0.85;
/** Goals of refreshes against the sign-only route on Fastify (issue 21, goal 3). */
const REFRESH_SQLITE_GOAL = 0.6;
const REFRESH_POSTGRES_GOAL = 0.5;
const clockTicks = clockTicksPerSecond();
/**
 * API keys the bench takes turns with, each at the highest limit (100000 a minute): at ~30k req/s
 * each key stays under a quarter of its window, the common case of a key well within its limit
 * (no `RateLimit-*` headers; they are sent once half the window is used).
 */
const API_KEYS = 32;

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

/**
 * Runs tools/bench/load.mjs in a child process (on CPU 0 when pinning) and returns its output:
 * autocannon's result, or the slices of the paired mode.
 */
function load(options) {
  const [command, args] = nodeCommand(
    [join(root, 'tools', 'bench', 'load.mjs'), JSON.stringify(options)],
    pin.loadCpu,
  );
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`load generator failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/**
 * Paired slices of `scenarios` (load.mjs), `grantRounds` rounds after a warm-up each, announced
 * with their names: the auth-service's scenarios and their bounds.
 */
function pairedGrantRounds(scenarios) {
  const names = scenarios.map((scenario) => scenario.name);
  note(
    `measuring ${names.join(', ')}: ${grantRounds} rounds of ${slice} s slices ` +
      `(about ${names.length * (SLICE_WARMUP_SECONDS + grantRounds * slice)} s)…`,
  );
  return load({ connections, warmup: SLICE_WARMUP_SECONDS, slice, rounds: grantRounds, scenarios });
}

async function startAuth(label, dataDir, extraEnv = {}, client = undefined) {
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
    ...(client ? { BOOTSTRAP_CLIENTS: `${client.id}:${client.secret}:usage:report` } : {}),
    ...extraEnv,
  };
  return startService({ root, app: 'auth-service', label, env, url, cpu: pin.serverCpu });
}

/**
 * Starts tools/bench/refresh-floor.cjs on the server CPU against the auth-service's database:
 * `{ sqlite, synchronous }` (its file) or `{ databaseUrl }`.
 */
async function startRefreshFloor(label, database) {
  const port = await freePort();
  return startService({
    root,
    app: 'refresh-floor',
    label,
    script: join(root, 'tools', 'bench', 'refresh-floor.cjs'),
    env: {
      FLOOR_PORT: String(port),
      ...(database.databaseUrl
        ? { FLOOR_DATABASE_URL: database.databaseUrl }
        : { FLOOR_SQLITE: database.sqlite, FLOOR_SYNCHRONOUS: database.synchronous }),
    },
    url: `http://127.0.0.1:${port}`,
    cpu: pin.serverCpu,
  });
}

/**
 * Refreshes against their bounds, as paired slices (`grantRounds` rounds): the auth-service's
 * `POST /auth/refresh`, the same rotation done by hand on the same database and rows by
 * tools/bench/refresh-floor.cjs (on SQLite also with `synchronous = NORMAL`, which skips the fsync
 * of each commit: what that fsync costs), and the sign-only route on Fastify. Every refresh
 * scenario walks chains of tokens issued by the auth-service, with a spare chain per connection
 * for each slice and warm-up (load.mjs). Returns the rows, the ratios (goal `goal` against the
 * sign-only route) and the slices.
 */
async function measureRefreshBounds(database, auth, goal) {
  const label = database.databaseUrl ? 'PostgreSQL' : 'SQLite';
  const started = [];
  try {
    const sign = await startSignBaseline('fastify');
    started.push(sign);
    const floors = [await startRefreshFloor(`refresh-floor.${label}`, database)];
    started.push(floors[0]);
    if (!database.databaseUrl) {
      floors.push(
        await startRefreshFloor('refresh-floor.SQLite-normal', {
          ...database,
          synchronous: 'NORMAL',
        }),
      );
      started.push(floors[1]);
    }
    const names = [
      `auth POST /auth/refresh (${label})`,
      `refresh floor: the same rotation by hand, Nest on Fastify (${label})`,
      ...(floors[1]
        ? ['refresh floor without the fsync of each commit (SQLite, synchronous NORMAL)']
        : []),
      'sign-only Nest route on Fastify (refresh run)',
    ];
    const user = await registerUser(auth.url);
    const chains = connections * (grantRounds + 2);
    const pool = async () => {
      const tokens = [];
      for (let i = 0; i < chains; i++) tokens.push((await login(auth.url, user)).refreshToken);
      return tokens;
    };
    const refreshScenario = async (name, server) => ({
      name,
      url: server.url,
      pid: server.pid,
      refreshTokens: await pool(),
    });
    const scenarios = [await refreshScenario(names[0], auth)];
    for (const [i, floor] of floors.entries())
      scenarios.push(await refreshScenario(names[1 + i], floor));
    scenarios.push({
      name: names.at(-1),
      url: sign.url,
      pid: sign.pid,
      path: '/oauth/token',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: 'grant_type=client_credentials',
    });
    const paired = pairedGrantRounds(scenarios);
    const slices = paired.scenarios.map((s) => s.slices);
    const rows = paired.scenarios.map((s) => sliceRow(s.name, s.slices));
    const signSlices = slices.at(-1);
    const ratios = [];
    // Each floor against the sign-only route, then the auth-service against each floor and, last
    // (the table's ratio column keeps the last), against the sign-only route: the goal.
    for (let i = 1; i < rows.length - 1; i++) {
      ratios.push(
        pairedRatio(rows[i], slices[i], signSlices, {
          baseline: 'sign-only on Fastify',
          rounds: grantRounds,
        }),
      );
      ratios.push(
        pairedRatio({ ...rows[0] }, slices[0], slices[i], {
          baseline: i === 1 ? `refresh floor (${label})` : 'refresh floor without fsync',
          rounds: grantRounds,
        }),
      );
    }
    ratios.push(
      pairedRatio(rows[0], slices[0], signSlices, {
        baseline: 'sign-only on Fastify',
        goal,
        rounds: grantRounds,
      }),
    );
    for (const ratio of ratios)
      ratio.label = ratio.label.replace('refresh floor: the same', 'floor:');
    return { rows, ratios, slices: paired.scenarios };
  } finally {
    await Promise.all(started.map((service) => service.stop()));
  }
}

/** Starts tools/bench/sign-baseline.cjs on `platform` (express or fastify), on the server CPU. */
async function startSignBaseline(platform) {
  const port = await freePort();
  return startService({
    root,
    app: 'sign-baseline',
    label: `sign-baseline.${platform}`,
    script: join(root, 'tools', 'bench', 'sign-baseline.cjs'),
    env: { SIGN_BASELINE_PORT: String(port), SIGN_BASELINE_PLATFORM: platform },
    url: `http://127.0.0.1:${port}`,
    cpu: pin.serverCpu,
  });
}

/**
 * The grants' peer, tools/bench/oidc-provider-peer.mjs (oidc-provider with the same client and a
 * 2048-bit RS256 key), started and pinned like the auth-service.
 */
async function startPeer(client) {
  const port = await freePort();
  return startService({
    root,
    app: 'oidc-provider-peer',
    label: 'oidc-provider-peer',
    script: join(root, 'tools', 'bench', 'oidc-provider-peer.mjs'),
    env: { PEER_PORT: String(port), PEER_CLIENT_ID: client.id, PEER_CLIENT_SECRET: client.secret },
    url: `http://127.0.0.1:${port}`,
    cpu: pin.serverCpu,
  });
}

/**
 * Client-credentials grants against their signing bound, as paired slices (see load.mjs): the
 * auth-service's `POST /oauth/token` and the same request to tools/bench/sign-baseline.cjs, a Nest
 * route that only signs a token like it, once on Fastify (the auth-service's platform, and the
 * bound the issue quotes) and once on Express (Nest's default, for comparison). Both are started here, on the server CPU. Returns the rows,
 * the ratios (grants ÷ each sign-only route, medians of per-round ratios) and the slices.
 */
async function measureGrants(auth, client) {
  const started = [];
  try {
    const express = await startSignBaseline('express');
    started.push(express);
    const fastify = await startSignBaseline('fastify');
    started.push(fastify);
    const peer = await startPeer(client);
    started.push(peer);
    const request = {
      path: '/oauth/token',
      method: 'POST',
      headers: {
        authorization: basicAuth(client),
        'content-type': 'application/x-www-form-urlencoded',
      },
      rawBody: 'grant_type=client_credentials',
    };
    const names = [
      'sign-only Nest route on Express (signing bound)',
      'sign-only Nest route on Fastify (signing bound)',
      'auth POST /oauth/token (client_credentials)',
      'peer: oidc-provider 9.13 POST /token (client_credentials)',
    ];
    const paired = pairedGrantRounds([
      { name: names[0], url: express.url, pid: express.pid, ...request },
      { name: names[1], url: fastify.url, pid: fastify.pid, ...request },
      { name: names[2], url: auth.url, pid: auth.pid, ...request },
      { name: names[3], url: peer.url, pid: peer.pid, ...request, path: '/token' },
    ]);
    const [expressSlices, fastifySlices, grantSlices, peerSlices] = paired.scenarios.map(
      (s) => s.slices,
    );
    const rows = paired.scenarios.map((s) => sliceRow(s.name, s.slices));
    const grantRow = rows[2];
    const versusExpress = pairedRatio(grantRow, grantSlices, expressSlices, {
      baseline: 'sign-only on Express',
      rounds: grantRounds,
    });
    // Last, so that the table's ratio column shows grants against the route on their own platform.
    const versusPeer = pairedRatio({ ...grantRow }, grantSlices, peerSlices, {
      baseline: 'oidc-provider',
      goal: 1.0,
      rounds: grantRounds,
    });
    const versusFastify = pairedRatio(grantRow, grantSlices, fastifySlices, {
      baseline: 'sign-only on Fastify',
      goal: 0.8,
      rounds: grantRounds,
    });
    return {
      rows,
      ratios: [versusExpress, versusPeer, versusFastify],
      slices: paired.scenarios,
    };
  } finally {
    await Promise.all(started.map((service) => service.stop()));
  }
}

/**
 * authorization_code redemptions against the sign-only route on Fastify: tools/bench/
 * authorization-code.mjs in a child process on the load generator's CPU (it starts its own
 * auth-service and sign-only route on the server CPU, and mints codes before every round, since
 * they live 60 s), `grantRounds` rounds. Returns its two rows and the paired ratio (goal 0.6).
 */
function measureAuthorizationCode() {
  note(
    `measuring authorization_code redemptions: ${grantRounds} rounds of ${slice} s slices, ` +
      'codes minted before each…',
  );
  const [command, args] = nodeCommand(
    [join(root, 'tools', 'bench', 'authorization-code.mjs')],
    pin.loadCpu,
  );
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      BENCH_ROUNDS: String(grantRounds),
      BENCH_SLICE: String(slice),
      BENCH_CONNECTIONS: String(connections),
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`authorization-code bench failed: ${result.stderr}`);
  const { scenarios } = JSON.parse(result.stdout);
  const [codeSlices, signSlices] = scenarios.map((s) => s.slices);
  const rows = scenarios.map((s) => sliceRow(s.name, s.slices));
  const ratio = pairedRatio(rows[0], codeSlices, signSlices, {
    baseline: 'sign-only on Fastify',
    goal: 0.6,
    rounds: grantRounds,
  });
  return { rows: [rows[1], rows[0]], ratio, slices: scenarios };
}

/**
 * `POST /auth/password/forgot` with the SMTP server running against it stopped (see forgot.mjs):
 * two auth-services on the same CPU, paired slices, ratio stopped ÷ running (goal: the same rate).
 * Also checks that every answer was a 202 and that the mails really went (or waited) as expected.
 */
async function measureForgot(dataDir) {
  const sink = await startSmtpSink();
  let sinkStopped = false;
  const services = [];
  try {
    const running = await startAuth('auth-service.smtp-running', join(dataDir, 'smtp-running'), {
      SMTP_URL: sink.url,
      ...UNLIMITED_ACCOUNT_MAIL,
    });
    services.push(running);
    const stopped = await startAuth('auth-service.smtp-stopped', join(dataDir, 'smtp-stopped'), {
      SMTP_URL: await stoppedSmtpUrl(),
      ...UNLIMITED_ACCOUNT_MAIL,
    });
    services.push(stopped);
    const [runningUser, stoppedUser] = [
      await registerUser(running.url),
      await registerUser(stopped.url),
    ];
    const names = [
      'auth POST /auth/password/forgot (SMTP running)',
      'auth POST /auth/password/forgot (SMTP stopped)',
    ];
    const paired = pairedGrantRounds([
      { name: names[0], url: running.url, pid: running.pid, ...forgotRequest(runningUser.email) },
      { name: names[1], url: stopped.url, pid: stopped.pid, ...forgotRequest(stoppedUser.email) },
    ]);
    const [runningSlices, stoppedSlices] = paired.scenarios.map((s) => s.slices);
    const rows = paired.scenarios.map((s) => sliceRow(s.name, s.slices));
    const errors = [...runningSlices, ...stoppedSlices].reduce((sum, s) => sum + s.errors, 0);
    if (errors > 0) throw new Error(`forgot answered something other than 202 ${errors} times`);
    const [sent, waiting] = [await mailCounts(running.url), await mailCounts(stopped.url)];
    const delivered = await sink.stop();
    sinkStopped = true;
    rows[1].note =
      `mail with SMTP running: ${sent.queued ?? 0} queued, ${sent.sent ?? 0} sent, ${delivered} ` +
      `received by the SMTP server; with it stopped: ${waiting.queued ?? 0} queued, ` +
      `${waiting.sent ?? 0} sent`;
    if (!(delivered > 0)) throw new Error('no mail reached the running SMTP server');
    const ratio = pairedRatio(rows[1], stoppedSlices, runningSlices, {
      baseline: 'SMTP running',
      goal: 0.9,
      rounds: grantRounds,
    });
    return { rows, ratio };
  } finally {
    for (const service of services) await service.stop();
    if (!sinkStopped) await sink.stop();
  }
}

/** CPU seconds (user + system) a process has used, from /proc (NaN without it). */
function cpuSeconds(pid) {
  return (cpuTicks(pid) ?? Number.NaN) / clockTicks;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A scenario's row from its slices: median req/s and p99, the errors of every slice. */
function sliceRow(scenario, slices) {
  const cpu = slices.map((s) => s.cpuUsPerRequest);
  return {
    scenario,
    requestsPerSecond: Math.round(median(slices.map((s) => s.requestsPerSecond))),
    p99Ms: median(slices.map((s) => s.p99Ms)),
    errors: slices.reduce((sum, s) => sum + s.errors, 0),
    errorDetail: slices
      .map((s) => s.errorDetail)
      .filter(Boolean)
      .join('; '),
    slices: slices.map((s) => Math.round(s.requestsPerSecond)),
    cpuUsPerRequest: cpu.every((value) => value !== null) ? median(cpu) : null,
  };
}

/**
 * Sets `row.ratio` against a baseline measured in the same rounds: the median over rounds of slice
 * i's req/s divided by the baseline's slice i, with the range of those paired ratios and the
 * CPU-cost ratio (median of baseline CPU µs per request ÷ this scenario's). `goal` (a ratio) adds
 * PASS or FAIL. Returns the ratio's details.
 */
function pairedRatio(measured, slices, baselineSlices, { baseline, goal, rounds: count }) {
  const ratios = slices.map((s, i) => s.requestsPerSecond / baselineSlices[i].requestsPerSecond);
  const ratio = median(ratios);
  const cpu = slices.every((s, i) => s.cpuUsPerRequest && baselineSlices[i].cpuUsPerRequest)
    ? median(slices.map((s, i) => baselineSlices[i].cpuUsPerRequest / s.cpuUsPerRequest))
    : null;
  measured.ratio =
    goal === undefined
      ? ratio.toFixed(2)
      : `${ratio.toFixed(2)} ${ratio >= goal ? 'PASS' : 'FAIL'}`;
  return {
    label: measured.scenario.replace('resource GET ', '').replace('auth POST ', ''),
    baseline,
    goal,
    rounds: count,
    ratio,
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    cpu,
  };
}

/**
 * Another user's sign-out and revoked API key, waited for until the resource-service refuses them:
 * its deny set then holds entries, so the measured requests take the deny-set lookups (by `sid`,
 * user and client for a token, by key for an API key) as a verifier in production does, instead
 * of the empty set's size test. Returns how long the refusals took to arrive.
 */
async function seedRevocations(authUrl, resourceUrl) {
  const started = performance.now();
  const other = await login(authUrl, await registerUser(authUrl));
  const bearer = { authorization: `Bearer ${other.accessToken}` };
  const { id, key } = await createApiKey(authUrl, other.accessToken, {});
  await expectOk(resourceUrl, bearer, "another user's token");
  await expectOk(resourceUrl, { 'x-api-key': key }, "another user's key");
  const revoke = await fetch(`${authUrl}/api-keys/${id}`, { method: 'DELETE', headers: bearer });
  if (revoke.status !== 204) throw new Error(`DELETE /api-keys/:id answered ${revoke.status}`);
  const logout = await fetch(`${authUrl}/auth/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: other.refreshToken }),
  });
  if (logout.status !== 204) throw new Error(`POST /auth/logout answered ${logout.status}`);
  for (const headers of [bearer, { 'x-api-key': key }]) {
    for (let status = 200; status !== 401; ) {
      if (performance.now() - started > 10_000)
        throw new Error('the resource-service did not refuse a revoked credential within 10 s');
      status = (await fetch(`${resourceUrl}/me`, { headers })).status;
      if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return performance.now() - started;
}

async function expectOk(resourceUrl, headers, what) {
  const response = await fetch(`${resourceUrl}/me`, { headers });
  if (response.status !== 200)
    throw new Error(`GET /me with ${what} answered ${response.status}: ${await response.text()}`);
}

function printTable(rows, ratios) {
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
  for (const { label, baseline, goal, rounds: count, ratio, min, max, cpu } of ratios)
    output.push(
      `  ratio = ${label} req/s ÷ ${baseline} req/s, median of ${count} per-round paired ratios = ` +
        `${ratio.toFixed(2)} (range ${min.toFixed(2)}–${max.toFixed(2)}` +
        `${goal === undefined ? '' : `, goal ≥ ${goal}`})` +
        (cpu === null ? '' : `; CPU-cost ratio ${baseline} ÷ ${label} = ${cpu.toFixed(2)}`),
    );
  for (const r of rows)
    if (r.cpuUsPerRequest !== undefined)
      output.push(
        `  ${r.scenario}: server CPU ${
          r.cpuUsPerRequest === null ? 'unknown' : `${r.cpuUsPerRequest.toFixed(1)} µs`
        } per request (median); slices ${r.slices.join(', ')} req/s`,
      );
  output.push(
    `  resource scenarios: ${rounds} rounds (grants, refreshes and their bounds: ${grantRounds}) ` +
      `of ${slice} s slices each (order reversed every other round) after a ` +
      `${SLICE_WARMUP_SECONDS} s warm-up each, medians shown; ${connections} connections`,
    pin.pinned
      ? `  pinned: servers on CPU ${pin.serverCpu}, load generator on CPU ${pin.loadCpu} (taskset, ${pin.reason})`
      : `  not pinned (${pin.reason})`,
  );
  process.stdout.write(`${output.join('\n')}\n`);
}

/**
 * The refresh scenarios on an auth-service of their own on a fresh PostgreSQL database (see
 * postgres.mjs), or one row saying why they were skipped. Registers its clean-ups in `cleanups`.
 */
async function measureRefreshOnPostgres(cleanups) {
  const postgres = await findPostgres();
  if (postgres.skip) {
    return {
      rows: [
        { scenario: 'auth POST /auth/refresh (PostgreSQL)', note: `skipped: ${postgres.skip}` },
      ],
      ratios: [],
      slices: [],
    };
  }
  const database = await createDatabase(postgres.url);
  cleanups.push(() => database.drop());
  const pgData = mkdtempSync(join(tmpdir(), 'keycard-bench-pg-'));
  cleanups.push(() => rmSync(pgData, { recursive: true, force: true }));
  const pgAuth = await startAuth('auth-service.postgres', pgData, { DATABASE_URL: database.url });
  cleanups.unshift(() => pgAuth.stop());
  try {
    return await measureRefreshBounds({ databaseUrl: database.url }, pgAuth, REFRESH_POSTGRES_GOAL);
  } finally {
    await pgAuth.stop();
  }
}

async function main() {
  build();
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-bench-'));
  const cleanups = [() => rmSync(dataDir, { recursive: true, force: true })];
  const rows = [];
  try {
    note('starting the services (logs in artifacts/bench-logs/)…');
    const client = benchClient();
    const auth = await startAuth('auth-service.sqlite', dataDir, {}, client);
    cleanups.unshift(() => auth.stop());
    if (grantsOnly) {
      const grants = await measureGrants(auth, client);
      printTable(grants.rows, grants.ratios);
      return;
    }
    if (refreshOnly) {
      const sqlite = await measureRefreshBounds(
        { sqlite: join(dataDir, 'auth.sqlite'), synchronous: 'FULL' },
        auth,
        REFRESH_SQLITE_GOAL,
      );
      await auth.stop();
      const postgres = await measureRefreshOnPostgres(cleanups);
      printTable([...sqlite.rows, ...postgres.rows], [...sqlite.ratios, ...postgres.ratios]);
      return;
    }
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
        AUTH_CLIENT_ID: client.id,
        AUTH_CLIENT_SECRET: client.secret,
      },
      url: `http://127.0.0.1:${resourcePort}`,
      cpu: pin.serverCpu,
    });
    cleanups.unshift(() => resource.stop());

    const { accessToken } = await login(auth.url, await registerUser(auth.url));
    const headers = { authorization: `Bearer ${accessToken}` };
    await expectOk(resource.url, headers, 'a fresh token');
    // Keys at the highest per-key limit (see API_KEYS), taking turns; each is used once first to
    // warm the cache.
    const keys = [];
    for (let i = 0; i < API_KEYS; i++) {
      const { key } = await createApiKey(auth.url, accessToken, { rateLimit: 100_000 });
      await expectOk(resource.url, { 'x-api-key': key }, 'a fresh API key');
      keys.push(key);
    }

    const seededMs = await seedRevocations(auth.url, resource.url);
    note(
      `another user's sign-out and revoked key refused by the resource-service (${Math.round(seededMs)} ms)`,
    );

    const names = ['resource GET /health', 'resource GET /me (JWT)', 'resource GET /me (API key)'];
    note(
      `measuring ${names.join(', ')}: ${rounds} rounds of ${slice} s slices ` +
        `(about ${names.length * (SLICE_WARMUP_SECONDS + rounds * slice)} s)…`,
    );
    // The auth-service only answers the API-key scenario's background re-checks here (each key
    // once per cache TTL) and usage reports: another service's work, which in production runs on
    // its own machine. On the resource-service's CPU it took a few per cent of it, in the API-key
    // slices only, so it runs on the load generator's CPU (which autocannon uses about two-thirds
    // of) until the grant scenarios, where it is the server measured.
    if (pin.pinned) pinRunning(auth.pid, pin.loadCpu);
    const authCpuBefore = cpuSeconds(auth.pid);
    const paired = load({
      url: resource.url,
      connections,
      warmup: SLICE_WARMUP_SECONDS,
      slice,
      rounds,
      pid: resource.pid,
      scenarios: [
        { name: names[0], path: '/health' },
        { name: names[1], path: '/me', headers },
        // Primed: each key's cached answer is fresh when its slice starts (see load.mjs).
        {
          name: names[2],
          path: '/me',
          headerCycle: { name: 'x-api-key', values: keys },
          prime: true,
        },
      ],
    });
    const authCpu = cpuSeconds(auth.pid) - authCpuBefore;
    if (pin.pinned) pinRunning(auth.pid, pin.serverCpu);
    const [healthSlices, bearerSlices, apiKeySlices] = paired.scenarios.map((s) => s.slices);
    const [health, bearer, apiKey] = paired.scenarios.map((s) => sliceRow(s.name, s.slices));
    const versusHealth = { baseline: '/health', rounds };
    const bearerRatio = pairedRatio(bearer, bearerSlices, healthSlices, {
      ...versusHealth,
      goal: JWT_RATIO_GOAL,
    });
    const apiKeyPaired = pairedRatio(apiKey, apiKeySlices, healthSlices, {
      ...versusHealth,
      goal: API_KEY_RATIO_GOAL,
    });
    apiKey.note =
      `the auth-service used ${authCpu.toFixed(2)} s of CPU during the resource scenarios ` +
      `(API-key re-checks and usage reports)` +
      (pin.pinned ? `, on CPU ${pin.loadCpu}` : '');
    rows.push(health, bearer, apiKey);
    await resource.stop();
    if (resourceOnly) {
      printTable(rows, [bearerRatio, apiKeyPaired]);
      return;
    }

    const grants = await measureGrants(auth, client);
    rows.push(...grants.rows);
    const codes = measureAuthorizationCode();
    rows.push(...codes.rows);

    const refreshSqlite = await measureRefreshBounds(
      { sqlite: join(dataDir, 'auth.sqlite'), synchronous: 'FULL' },
      auth,
      REFRESH_SQLITE_GOAL,
    );
    rows.push(...refreshSqlite.rows);
    await auth.stop();

    const forgot = await measureForgot(dataDir);
    rows.push(...forgot.rows);

    const refreshPostgres = await measureRefreshOnPostgres(cleanups);
    rows.push(...refreshPostgres.rows);
    printTable(rows, [
      bearerRatio,
      apiKeyPaired,
      ...grants.ratios,
      codes.ratio,
      ...refreshSqlite.ratios,
      ...refreshPostgres.ratios,
      forgot.ratio,
    ]);
    mkdirSync(join(root, 'artifacts'), { recursive: true });
    const report = {
      date: new Date().toISOString(),
      sliceSeconds: slice,
      sliceWarmupSeconds: SLICE_WARMUP_SECONDS,
      rounds,
      connections,
      pinning: pin,
      ratioGoal: JWT_RATIO_GOAL,
      apiKeyRatioGoal: API_KEY_RATIO_GOAL,
      ratio: bearerRatio.ratio,
      ratioPass: bearerRatio.ratio >= JWT_RATIO_GOAL,
      ratioRange: [bearerRatio.min, bearerRatio.max],
      cpuCostRatio: bearerRatio.cpu,
      apiKeyRatio: apiKeyPaired.ratio,
      apiKeyRatioPass: apiKeyPaired.ratio >= API_KEY_RATIO_GOAL,
      apiKeyRatioRange: [apiKeyPaired.min, apiKeyPaired.max],
      apiKeyCpuCostRatio: apiKeyPaired.cpu,
      grantRatio: grants.ratios[2].ratio,
      grantRatioRange: [grants.ratios[2].min, grants.ratios[2].max],
      grantCpuCostRatio: grants.ratios[2].cpu,
      grantRatioToPeer: grants.ratios[1].ratio,
      grantRatioToPeerRange: [grants.ratios[1].min, grants.ratios[1].max],
      grantRatioToExpress: grants.ratios[0].ratio,
      grantRatioToExpressRange: [grants.ratios[0].min, grants.ratios[0].max],
      authorizationCodeRatio: codes.ratio.ratio,
      authorizationCodeRatioPass: codes.ratio.ratio >= codes.ratio.goal,
      authorizationCodeRatioRange: [codes.ratio.min, codes.ratio.max],
      authorizationCodeCpuCostRatio: codes.ratio.cpu,
      forgotSmtpStoppedRatio: forgot.ratio.ratio,
      forgotSmtpStoppedRatioRange: [forgot.ratio.min, forgot.ratio.max],
      refreshRatios: [...refreshSqlite.ratios, ...refreshPostgres.ratios],
      refreshSlices: [...refreshSqlite.slices, ...refreshPostgres.slices],
      rows,
      slices: paired.scenarios,
      grantSlices: grants.slices,
      authorizationCodeSlices: codes.slices,
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
