#!/usr/bin/env node
// `node tools/bench/authorization-code.mjs` (after `npx nx build auth-service`): authorization_code
// redemptions per second (POST /oauth/token, a confidential `web` client with client_secret_basic,
// PKCE S256, an ID token, no refresh token) against the sign-only Nest route on Fastify
// (tools/bench/sign-baseline.cjs), as paired slices like the other grant scenarios: every round
// first mints a fresh pool of codes through GET /oauth/authorize with a signed-in browser session
// (codes live 60 s, so they cannot be made up front), then gives each route BENCH_SLICE seconds.
// Prints the per-round rates and the median ratio (goal ≥ 0.6) as JSON on stdout.
// BENCH_ROUNDS (default 7), BENCH_SLICE (default 2), BENCH_CONNECTIONS (default 10),
// BENCH_CODES (codes minted per round, default 4000).
import autocannon from 'autocannon';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, pinning, randomSecret, registerUser, startService } from './services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const slice = Number(process.env.BENCH_SLICE ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const codesPerRound = Number(process.env.BENCH_CODES ?? 4000);
const REDIRECT = 'http://127.0.0.1:9/callback';
const GOAL = 0.6;
const pin = pinning();
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

/** One slice of autocannon; `bodies` (a pool, each used once) or a fixed request. */
async function runSlice(url, headers, bodies) {
  const result = await autocannon({
    url,
    connections,
    duration: slice,
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
  return { requestsPerSecond: result.requests.average, errors: result.non2xx + result.errors };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

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
    const results = [];
    for (let round = 0; round < rounds; round++) {
      const bodies = await mintCodes(authUrl, client, cookie, codesPerRound);
      const codes = await runSlice(authUrl, headers, bodies);
      const sign = await runSlice(signUrl, headers);
      results.push({
        round,
        codes,
        sign,
        ratio: codes.requestsPerSecond / sign.requestsPerSecond,
        unused: bodies.length,
      });
      note(
        `round ${round}: ${Math.round(codes.requestsPerSecond)} redemptions/s, ${Math.round(sign.requestsPerSecond)} signs/s`,
      );
    }
    const ratio = median(results.map((r) => r.ratio));
    process.stdout.write(
      `${JSON.stringify({ ratio, goal: GOAL, met: ratio >= GOAL, results }, null, 2)}\n`,
    );
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
