#!/usr/bin/env node
// `npm run bench:login`: `POST /auth/login` against its bound, an argon2id verify on the same CPU
// (issue 21, goal 2: ≥ 0.85). The built auth-service (dist/, embedded SQLite) and
// tools/bench/argon2-baseline.cjs, a bare node:http server doing one verify per request with the
// very hash the auth-service stored for the bench's user, run pinned to the last CPU, autocannon
// on CPU 0 (BENCH_PIN=0: no pinning). They take turns in paired slices (tools/bench/load.mjs):
// BENCH_LOGIN_ROUNDS rounds (default 9) of BENCH_SLICE seconds (default 2) each, after a warm-up
// (see WARMUP_SECONDS); the ratio is the median of the per-round ratios. Also printed: the bound
// without HTTP (a verify loop in its own pinned process, before and after the slices) and each
// server's CPU time per request: their difference is what a login costs beyond its hash, and
// their ratio is the same comparison less sensitive to a busy machine than the request rates.
// BENCH_LOGIN_CONNECTIONS: default 8.
// Needs dist/ (`npm run bench` builds it, or `npx nx run auth-service:build`).
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  nodeCommand,
  pinning,
  randomSecret,
  registerUser,
  startService,
} from './services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const slice = Number(process.env.BENCH_SLICE ?? 2);
const rounds = Number(process.env.BENCH_LOGIN_ROUNDS ?? 9);
const connections = Number(process.env.BENCH_LOGIN_CONNECTIONS ?? 8);
/**
 * Warm-up of each scenario (BENCH_LOGIN_WARMUP, seconds): a route taken 70 times a second runs in
 * V8's interpreter and baseline tiers for a while; the main thread's CPU per login fell from 2.8 to
 * 2.1 ms over its first minute here. Long enough to measure a warm server, as in production.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_LOGIN_WARMUP ?? 20);
const LOOP_SECONDS = 5;
const GOAL = 0.85;
const BASELINE = join(root, 'tools', 'bench', 'argon2-baseline.cjs');
const pin = pinning();

const note = (message) => process.stderr.write(`# ${message}\n`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Runs a node script to completion (pinned to `cpu` when given) and parses its JSON stdout. */
function runJson(args, cpu, env = {}) {
  const [command, commandArgs] = nodeCommand(args, cpu);
  const result = spawnSync(command, commandArgs, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${args[0]} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The hash the auth-service stored for `email` (lowercased there; its SQLite file, read-only). */
function storedHash(dataDir, email) {
  const db = new Database(join(dataDir, 'auth.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('SELECT password_hash AS hash FROM users WHERE email = ?')
      .get(email.toLowerCase()).hash;
  } finally {
    db.close();
  }
}

async function startAuth(dataDir) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    AUTH_PORT: String(port),
    AUTH_HOST: '127.0.0.1',
    AUTH_ISSUER: url,
    DATA_DIR: dataDir,
    KEYS_ENCRYPTION_SECRET: randomSecret(48),
    COOKIE_SECURE: 'false',
    // Every connection signs in the same user: more attempts in flight than the default 5 would
    // be refused (a correct password gives its attempt back only once checked). Same code path.
    LOGIN_MAX_FAILURES: '1000',
  };
  return startService({
    root,
    app: 'auth-service',
    label: 'login.auth-service',
    env,
    url,
    cpu: pin.serverCpu,
  });
}

function verifyLoop(hashEnv) {
  return runJson([BASELINE], pin.serverCpu, {
    ...hashEnv,
    ARGON2_LOOP_SECONDS: String(LOOP_SECONDS),
  }).verifiesPerSecond;
}

function summary(slices) {
  const rates = slices.map((s) => s.requestsPerSecond);
  const cpu = slices.map((s) => s.cpuUsPerRequest).filter((v) => v !== null);
  return {
    requestsPerSecond: median(rates),
    p99Ms: median(slices.map((s) => s.p99Ms)),
    errors: slices.reduce((sum, s) => sum + s.errors, 0),
    errorDetail: [...new Set(slices.map((s) => s.errorDetail).filter(Boolean))].join('; '),
    cpuUsPerRequest: cpu.length ? median(cpu) : null,
  };
}

function report({ loops, bound, login, ratio, load }) {
  const ms = (us) => (us === null ? 'unknown' : `${(us / 1000).toFixed(2)} ms`);
  const lines = [
    '| scenario | req/s (median slice) | p99 ms | server CPU per request | ratio |',
    '| --- | --- | --- | --- | --- |',
    `| argon2id verify loop, no HTTP (before / after the slices) | ${loops.map((v) => v.toFixed(1)).join(' / ')} | — | — | — |`,
    `| argon2id verify on node:http (the bound) | ${bound.requestsPerSecond.toFixed(1)} | ${bound.p99Ms} | ${ms(bound.cpuUsPerRequest)} | — |`,
    `| auth \`POST /auth/login\` | ${login.requestsPerSecond.toFixed(1)} | ${login.p99Ms} | ${ms(login.cpuUsPerRequest)} | **${ratio.median.toFixed(2)}** to the bound (range ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}, goal ≥ ${GOAL}) |`,
  ];
  if (login.cpuUsPerRequest !== null && bound.cpuUsPerRequest !== null)
    lines.push(
      `  a login costs ${ms(login.cpuUsPerRequest - bound.cpuUsPerRequest)} of server CPU beyond its hash; ` +
        `CPU-cost ratio bound ÷ login = ${(bound.cpuUsPerRequest / login.cpuUsPerRequest).toFixed(2)}`,
    );
  for (const [name, row] of [
    ['bound', bound],
    ['login', login],
  ])
    if (row.errors) lines.push(`  ${name}: ${row.errors} errors (${row.errorDetail})`);
  lines.push(
    `  ${rounds} rounds of ${slice} s slices after a ${WARMUP_SECONDS} s warm-up, ${connections} connections; ` +
      (pin.pinned
        ? `servers on CPU ${pin.serverCpu}, load generator on CPU ${pin.loadCpu}`
        : `not pinned (${pin.reason})`) +
      `; load average before ${load.before.map((v) => v.toFixed(2)).join(' ')}, after ${load.after
        .map((v) => v.toFixed(2))
        .join(' ')}`,
  );
  return lines.join('\n');
}

async function main() {
  if (!existsSync(join(root, 'dist', 'apps', 'auth-service', 'main.js')))
    throw new Error('dist/apps/auth-service/main.js is missing: build first (see the header)');
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-login-'));
  const cleanups = [() => rmSync(dataDir, { recursive: true, force: true })];
  const load = { before: loadavg() };
  try {
    const auth = await startAuth(dataDir);
    cleanups.unshift(() => auth.stop());
    const user = await registerUser(auth.url);
    const hashEnv = {
      ARGON2_HASH: storedHash(dataDir, user.email),
      ARGON2_PASSWORD: user.password,
    };
    const port = await freePort();
    const baseline = await startService({
      root,
      app: 'argon2-baseline',
      label: 'login.argon2-baseline',
      script: BASELINE,
      env: { ...hashEnv, ARGON2_BASELINE_PORT: String(port) },
      url: `http://127.0.0.1:${port}`,
      cpu: pin.serverCpu,
    });
    cleanups.unshift(() => baseline.stop());

    note('argon2id verify loop…');
    const loops = [verifyLoop(hashEnv)];
    note(`login and its bound: ${rounds} rounds of ${slice} s slices…`);
    const json = { 'content-type': 'application/json' };
    const paired = runJson(
      [
        join(root, 'tools', 'bench', 'load.mjs'),
        JSON.stringify({
          url: auth.url,
          connections,
          warmup: WARMUP_SECONDS,
          slice,
          rounds,
          scenarios: [
            {
              name: 'bound',
              url: baseline.url,
              path: '/',
              method: 'POST',
              headers: json,
              rawBody: '{}',
              pid: baseline.pid,
            },
            {
              name: 'login',
              path: '/auth/login',
              method: 'POST',
              headers: json,
              rawBody: JSON.stringify(user),
              pid: auth.pid,
            },
          ],
        }),
      ],
      pin.loadCpu,
    );
    loops.push(verifyLoop(hashEnv));
    load.after = loadavg();
    const [boundSlices, loginSlices] = paired.scenarios.map((s) => s.slices);
    const ratios = loginSlices.map(
      (s, i) => s.requestsPerSecond / boundSlices[i].requestsPerSecond,
    );
    const result = {
      loops,
      bound: summary(boundSlices),
      login: summary(loginSlices),
      ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
      load,
    };
    process.stdout.write(`${report(result)}\n`);
    mkdirSync(join(root, 'artifacts'), { recursive: true });
    writeFileSync(
      join(root, 'artifacts', 'bench-login.json'),
      `${JSON.stringify({ ...result, slices: paired.scenarios, rounds, slice, connections, pin }, null, 2)}\n`,
    );
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
