#!/usr/bin/env node
// `npm start`: builds both services and runs them on the embedded defaults (SQLite files and
// in-process stores under DATA_DIR), auth-service on :3000 and resource-service on :3001.
// On first start it also makes a development client pair (DATA_DIR/dev-client.json, mode 0600):
// the auth-service registers it (BOOTSTRAP_CLIENTS) and the resource-service uses it to check API
// keys (AUTH_CLIENT_ID / AUTH_CLIENT_SECRET). The resource-service starts once the auth-service's
// /health answers.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...process.env };
env.DATA_DIR = resolve(root, env.DATA_DIR ?? 'data');
// Local development is plain http: a Secure cookie would never come back.
env.COOKIE_SECURE ??= 'false';

const DEV_CLIENT_ID = 'resource-service-dev';
const HEALTH_TIMEOUT_MS = 60_000;

/** The development client pair, made on first start and kept (owner-only) under DATA_DIR. */
function devClient() {
  const path = join(env.DATA_DIR, 'dev-client.json');
  if (existsSync(path)) {
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8'));
      if (saved.clientId === DEV_CLIENT_ID && /^[\w-]{32,256}$/.test(saved.clientSecret ?? '')) {
        chmodSync(path, 0o600);
        return saved;
      }
    } catch {
      // unreadable: made again below; the auth-service updates the client's secret on start
    }
    console.error(`${path} is not a valid client pair; making a new one`);
  }
  mkdirSync(env.DATA_DIR, { recursive: true, mode: 0o700 }); // the services tighten an older one
  const client = { clientId: DEV_CLIENT_ID, clientSecret: randomBytes(32).toString('base64url') };
  writeFileSync(path, `${JSON.stringify(client, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // in case the file existed with wider permissions
  return client;
}

const build = spawnSync(
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
  { cwd: root, env, stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const client = devClient();
const authEnv = { ...env };
const resourceEnv = { ...env };
// A client the developer registered themselves takes precedence over the generated pair.
if (resourceEnv.AUTH_CLIENT_ID === undefined) {
  const listed = (env.BOOTSTRAP_CLIENTS ?? '').split(',').map((entry) => entry.trim());
  // usage:report: the auth-service takes API-key usage reports only from clients granted it.
  const own = `${client.clientId}:${client.clientSecret}:usage:report`;
  authEnv.BOOTSTRAP_CLIENTS = [...listed.filter(Boolean), own].join(',');
  resourceEnv.AUTH_CLIENT_ID = client.clientId;
  resourceEnv.AUTH_CLIENT_SECRET = client.clientSecret;
}

const children = [];
let stopping = false;

/**
 * Children get their own process group, so a Ctrl-C reaches this script only and the services
 * stop in order: the resource-service first (its last usage report still reaches the
 * auth-service), then the auth-service.
 */
function run(name, childEnv) {
  const child = spawn(process.execPath, [join(root, 'dist/apps', name, 'main.js')], {
    cwd: root,
    env: childEnv,
    stdio: 'inherit',
    detached: true,
  });
  child.exited = new Promise((done) => child.once('exit', done));
  child.on('exit', (code, signal) => {
    console.error(`${name} stopped (${signal ?? code})`);
    if (!stopping) void stopAll(code ?? 1);
  });
  children.push(child);
  return child;
}

async function stopAll(exitCode) {
  stopping = true;
  process.exitCode ??= exitCode;
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await child.exited;
    clearTimeout(timer);
  }
}

async function waitForHealth(url) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline && !stopping) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return false;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stopAll(0));
// Last resort if this script dies some other way: never leave a service running on its own.
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
});

run('auth-service', authEnv);
const authHost = ['', '0.0.0.0', '::'].includes(env.AUTH_HOST ?? '') ? '127.0.0.1' : env.AUTH_HOST;
const authUrl = `http://${authHost}:${env.AUTH_PORT ?? 3000}`;
if (await waitForHealth(authUrl)) {
  run('resource-service', resourceEnv);
} else if (!stopping) {
  console.error(`auth-service did not answer ${authUrl}/health; not starting the resource-service`);
  await stopAll(1);
}
