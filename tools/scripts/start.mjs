#!/usr/bin/env node
// `npm start`: builds both services and runs them on the embedded defaults (SQLite files and
// in-process stores under DATA_DIR), auth-service on :3000 and resource-service on :3001.
// On first start it also makes a development client pair (DATA_DIR/dev-client.json, mode 0600):
// the auth-service registers it (BOOTSTRAP_CLIENTS) and the resource-service uses it to check API
// keys (AUTH_CLIENT_ID / AUTH_CLIENT_SECRET). The resource-service starts once the auth-service's
// /health answers.
//
// `--watch` (`npm run dev`): development builds of both services in watch mode (webpack, under
// dist/dev/), each service restarted when its bundle is rebuilt — a change to an app or to a
// library it imports restarts that app.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// SHUTDOWN_DRAIN 0s unless set: no load balancer on a developer's machine, so Ctrl-C and the
// restarts of --watch need not wait for one to notice.
const env = {
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  SHUTDOWN_DRAIN: '0s',
  ...process.env,
};
env.DATA_DIR = resolve(root, env.DATA_DIR ?? 'data');
// Local development is plain http: a Secure cookie would never come back.
env.COOKIE_SECURE ??= 'false';

const WATCH = process.argv.includes('--watch');
const SERVICES = ['auth-service', 'resource-service'];
/** Where the services' bundles are: the production build, or the watch builds of `--watch`. */
const distDir = join(root, WATCH ? 'dist/dev/apps' : 'dist/apps');
const DEV_CLIENT_ID = 'resource-service-dev';
const WEBPACK_CLI = join(root, 'node_modules', 'webpack-cli', 'bin', 'cli.js');
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

/** `npm start`: one production build of both services through Nx (cached when nothing changed). */
function buildOnce() {
  const build = spawnSync(
    'npx',
    ['nx', 'run-many', '-t', 'build', '-p', ...SERVICES, '--output-style=static'],
    { cwd: root, env, stdio: 'inherit' },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/**
 * `--watch`: one `webpack --watch` per service writing a development bundle under dist/dev/. Resolves
 * once every first bundle is written; `onRebuilt(name)` is called for each later one.
 */
async function buildWatching(onRebuilt) {
  const since = Date.now();
  // Nx's webpack plugin reads the project graph: make sure Nx has computed and cached it.
  spawnSync('npx', ['nx', 'show', 'projects'], { cwd: root, env, stdio: 'ignore' });
  for (const name of SERVICES) {
    // webpack-cli run by node itself (not through npx, which would not pass a SIGTERM on), in its
    // own process group so that stopping it also stops its type-checker worker.
    const watcher = spawn(
      process.execPath,
      [WEBPACK_CLI, 'build', '--watch', '--output-path', join(distDir, name)],
      {
        cwd: join(root, 'apps', name),
        // The target Nx would run, so its plugin finds the project's build options.
        env: { ...env, NODE_ENV: 'development', NX_BUILD_TARGET: `${name}:build:development` },
        stdio: 'inherit',
        detached: true,
      },
    );
    watcher.group = true;
    children.push(watcher);
    watcher.exited = new Promise((done) => watcher.once('exit', done));
  }
  const bundle = (name) => join(distDir, name, 'main.js');
  const built = (name) => existsSync(bundle(name)) && statSync(bundle(name)).mtimeMs >= since;
  while (!SERVICES.every(built)) {
    if (stopping) return;
    await new Promise((done) => setTimeout(done, 500));
  }
  for (const name of SERVICES) {
    let timer;
    bundleWatchers.push(
      watch(join(distDir, name), (_event, file) => {
        if (file !== 'main.js') return;
        clearTimeout(timer);
        // webpack writes the bundle in several steps: wait until it has been quiet a moment.
        timer = setTimeout(() => onRebuilt(name), 400);
      }),
    );
  }
}

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
/** `--watch`: the file watchers on the bundles, closed at the end so that the script can exit. */
const bundleWatchers = [];
/** The running service processes by name (the watch builds are in `children` only). */
const services = new Map();
let stopping = false;

/**
 * Children get their own process group, so a Ctrl-C reaches this script only and the services
 * stop in order: the resource-service first (its last usage report still reaches the
 * auth-service), then the auth-service.
 */
function run(name, childEnv) {
  const child = spawn(process.execPath, ['--enable-source-maps', join(distDir, name, 'main.js')], {
    cwd: root,
    env: childEnv,
    stdio: 'inherit',
    detached: true,
  });
  child.exited = new Promise((done) => child.once('exit', done));
  child.on('exit', (code, signal) => {
    console.error(`${name} stopped (${signal ?? code})`);
    if (!stopping && !child.restarting) void stopAll(code ?? 1);
  });
  children.push(child);
  services.set(name, child);
  return child;
}

/** `--watch`: stops a service and starts its new bundle with the same settings. */
async function restart(name) {
  const child = services.get(name);
  if (stopping || child === undefined) return;
  console.error(`${name} rebuilt: restarting`);
  child.restarting = true;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await child.exited;
  children.splice(children.indexOf(child), 1);
  if (!stopping) run(name, name === 'auth-service' ? authEnv : resourceEnv);
}

/** A watch build is stopped with its whole process group; a service by itself. */
function signal(child, name) {
  try {
    if (child.group) process.kill(-child.pid, name);
    else child.kill(name);
  } catch {
    // already gone
  }
}

async function stopAll(exitCode) {
  stopping = true;
  process.exitCode ??= exitCode;
  for (const watcher of bundleWatchers) watcher.close();
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    signal(child, 'SIGTERM');
    const timer = setTimeout(() => signal(child, 'SIGKILL'), 10_000);
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
  for (const child of children) if (child.exitCode === null) signal(child, 'SIGTERM');
});

if (WATCH) await buildWatching((name) => void restart(name));
else buildOnce();
if (stopping) process.exit(process.exitCode ?? 0);

run('auth-service', authEnv);
const authHost = ['', '0.0.0.0', '::'].includes(env.AUTH_HOST ?? '') ? '127.0.0.1' : env.AUTH_HOST;
const authUrl = `http://${authHost}:${env.AUTH_PORT ?? 3000}`;
if (await waitForHealth(authUrl)) {
  run('resource-service', resourceEnv);
} else if (!stopping) {
  console.error(`auth-service did not answer ${authUrl}/health; not starting the resource-service`);
  await stopAll(1);
}
