#!/usr/bin/env node
// `node tools/bench/authorization-code.mjs` (after `npx nx build auth-service`; `npm run bench` runs
// it too): authorization_code redemptions per second (POST /oauth/token, a confidential `web`
// client with client_secret_basic, PKCE S256, an ID token, no refresh token) against the sign-only
// Nest route on Fastify (tools/bench/sign-baseline.cjs), as paired slices like the other grant
// scenarios: every round first mints a fresh pool of codes through GET /oauth/authorize with a
// signed-in browser session (codes live 60 s, so they cannot be made up front), then gives each
// route BENCH_SLICE seconds, in reversed order every other round, after a warm-up slice each. The
// services are pinned like run.mjs's (`pinning`). Prints the median of the per-round ratios (goal
// ≥ 0.6) and each route's slices, in load.mjs's shape (with the server's CPU µs per request), as
// JSON on stdout. BENCH_ROUNDS (default 7), BENCH_SLICE (default 2), BENCH_CONNECTIONS (default
// 10), BENCH_CODES (codes minted per round, default 4000).
import autocannon from 'autocannon';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  clockTicksPerSecond,
  cpuTicks,
  freePort,
  pinning,
  randomSecret,
  registerUser,
  sliceRecord,
  startService,
} from './services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const slice = Number(process.env.BENCH_SLICE ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const codesPerRound = Number(process.env.BENCH_CODES ?? 4000);
const WARMUP_SECONDS = 2;
const REDIRECT = 'http://127.0.0.1:9/callback';
const GOAL = 0.6;
const pin = pinning();
const clockTicks = clockTicksPerSecond();
const note = (message) => process.stderr.write(`# ${message}\n`);

async function json(url, init) {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** A `web` client registered by the bootstrap admin; returns `{ id, secret }`. */
async function registerWebClient(url, admin) {
  const login = await json(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  const created = await json(`${url}/admin/clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${login.accessToken}` },
    body: JSON.stringify({
      name: 'bench',
      type: 'web',
      firstParty: true,
      redirectUris: [REDIRECT],
    }),
  });
  return { id: created.clientId, secret: created.clientSecret };
}

/** The browser session cookie of a JSON sign-in. */
async function sessionCookie(url, user) {
  const response = await fetch(`${url}/session/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  if (response.status !== 200) throw new Error(`session login: ${response.status}`);
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
}

/** `count` codes, each with its verifier, minted 20 at a time through the authorization endpoint. */
async function mintCodes(url, client, cookie, count) {
  const mintOne = async () => {
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.id,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: randomBytes(8).toString('hex'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const response = await fetch(`${url}/oauth/authorize?${query}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    const code = new URL(response.headers.get('location') ?? 'x:/').searchParams.get('code');
    if (!code) throw new Error(`authorize answered ${response.status} without a code`);
    return `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT)}&code_verifier=${verifier}`;
  };
  const bodies = [];
  while (bodies.length < count)
    bodies.push(...(await Promise.all(Array.from({ length: 20 }, mintOne))));
  return bodies;
}

/** The non-2xx statuses, socket errors and timeouts of a result, e.g. `400×3` (as load.mjs). */

/**
 * One slice of autocannon against `service`, with `bodies` (a pool, each used once) or a fixed
 * request; a slice in load.mjs's shape, with the server's CPU time per request from /proc.
 */
async function runSlice(service, headers, bodies, duration, round) {
  const before = cpuTicks(service.pid);
  const result = await autocannon({
    url: service.url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/oauth/token',
        headers,
        setupRequest: (request) =>
          bodies ? { ...request, body: bodies.pop() ?? 'exhausted' } : request,
      },
    ],
  });
  const after = cpuTicks(service.pid);
  return sliceRecord(round, result, before, after, clockTicks);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A warm-up slice of each route, then `rounds` rounds of paired slices; `{ codes, sign }` slices. */
async function measure(auth, sign, headers, mint) {
  const codes = [];
  const signs = [];
  await runSlice(auth, headers, await mint(), WARMUP_SECONDS, -1);
  await runSlice(sign, headers, undefined, WARMUP_SECONDS, -1);
  for (let round = 0; round < rounds; round++) {
    const bodies = await mint();
    const both = [
      () => runSlice(auth, headers, bodies, slice, round).then((s) => codes.push(s)),
      () => runSlice(sign, headers, undefined, slice, round).then((s) => signs.push(s)),
    ];
    for (const run of round % 2 ? both.reverse() : both) await run();
    const [code, signed] = [codes[round], signs[round]];
    if (bodies.length === 0) note(`round ${round}: the code pool ran out (raise BENCH_CODES)`);
    note(
      `round ${round}: ${Math.round(code.requestsPerSecond)} redemptions/s, ` +
        `${Math.round(signed.requestsPerSecond)} signs/s`,
    );
  }
  return { codes, signs };
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-bench-code-'));
  const admin = { email: 'bench-admin@example.test', password: randomSecret(20) };
  const authPort = await freePort();
  const authUrl = `http://127.0.0.1:${authPort}`;
  const signPort = await freePort();
  const services = [];
  try {
    services.push(
      await startService({
        root,
        app: 'auth-service',
        label: 'auth-service.authorization-code',
        url: authUrl,
        cpu: pin.serverCpu,
        env: {
          AUTH_PORT: String(authPort),
          AUTH_HOST: '127.0.0.1',
          AUTH_ISSUER: authUrl,
          DATA_DIR: dataDir,
          KEYS_ENCRYPTION_SECRET: randomSecret(48),
          COOKIE_SECURE: 'false',
          BOOTSTRAP_ADMIN_EMAIL: admin.email,
          BOOTSTRAP_ADMIN_PASSWORD: admin.password,
        },
      }),
    );
    const signUrl = `http://127.0.0.1:${signPort}`;
    services.push(
      await startService({
        root,
        app: 'sign-baseline',
        label: 'sign-baseline.fastify.authorization-code',
        script: join(root, 'tools', 'bench', 'sign-baseline.cjs'),
        env: { SIGN_BASELINE_PORT: String(signPort), SIGN_BASELINE_PLATFORM: 'fastify' },
        url: signUrl,
        cpu: pin.serverCpu,
      }),
    );
    const client = await registerWebClient(authUrl, admin);
    const cookie = await sessionCookie(authUrl, await registerUser(authUrl));
    const basic = `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;
    const headers = { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' };
    const [auth, sign] = services;
    const mint = () => mintCodes(authUrl, client, cookie, codesPerRound);
    const { codes, signs } = await measure(auth, sign, headers, mint);
    const ratio = median(codes.map((c, i) => c.requestsPerSecond / signs[i].requestsPerSecond));
    const output = {
      ratio,
      goal: GOAL,
      met: ratio >= GOAL,
      rounds,
      sliceSeconds: slice,
      connections,
      pinning: pin,
      scenarios: [
        { name: 'auth POST /oauth/token (authorization_code)', slices: codes },
        { name: 'sign-only Nest route on Fastify (authorization_code run)', slices: signs },
      ],
    };
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
