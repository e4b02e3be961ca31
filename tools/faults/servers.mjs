// The fault run's own servers: a PostgreSQL cluster (initdb + pg_ctl in a temp folder on a spare
// port) and a redis-server on a spare port, which the run stops, pauses, kills and restarts; and
// the built services as processes it may SIGTERM or SIGKILL. Never the machine's shared 5432/6379.
// The same rules as libs/testing/src/lib/throwaway-servers.ts (which Jest specs use); this copy is
// plain ESM so `npm run faults` needs no TypeScript loader.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function sparePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const randomSecret = (length) => randomBytes(length).toString('base64url').slice(0, length);

/** Everything started here dies with the run, even when it fails half-way. */
const cleanups = new Set();
export function cleanUpEverything() {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      cleanup();
    } catch {
      // best effort: the process is ending
    }
  }
  cleanups.clear();
}
process.once('exit', cleanUpEverything);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanUpEverything();
    process.exit(1);
  });
}

function postgresBinDir() {
  const configured = process.env.KEYCARD_PG_BIN;
  if (configured) return existsSync(join(configured, 'initdb')) ? configured : undefined;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  return onPath('initdb') ? onPath('initdb').replace(/\/initdb$/, '') : undefined;
}

function onPath(program) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, program))) return join(dir, program);
  }
  return undefined;
}

/** The programs the run needs that are missing, as one sentence, or undefined. */
export function missingPrograms() {
  const missing = [];
  if (!postgresBinDir()) missing.push('initdb/pg_ctl (set KEYCARD_PG_BIN)');
  if (!onPath('redis-server')) missing.push('redis-server');
  return missing.length ? `missing ${missing.join(' and ')}` : undefined;
}

function postgresUser() {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error('running as root needs a "postgres" user to run initdb as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A PostgreSQL of the run's own: `{ url, port, start(), stop(mode), destroy() }`. */
export async function startPostgres() {
  const bin = postgresBinDir();
  const root = mkdtempSync(join(tmpdir(), 'keycard-faults-pg-'));
  const data = join(root, 'data');
  const user = postgresUser();
  if (user) chownSync(root, user.uid, user.gid);
  const port = await sparePort();
  const run = (program, args) =>
    execFileSync(join(bin, program), args, { stdio: 'pipe', cwd: root, ...user });
  run('initdb', [
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  const options = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=60',
  ].join(' ');
  // Asynchronous, so that the load loop keeps running (and timing) while pg_ctl waits.
  const runAsync = (program, args) =>
    promisify(execFile)(join(bin, program), args, { cwd: root, ...user });
  let running = false;
  const server = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    databaseUrl: (name) => `postgres://postgres@127.0.0.1:${port}/${name}`,
    async start() {
      await runAsync('pg_ctl', [
        '-D',
        data,
        '-l',
        join(root, 'server.log'),
        '-o',
        options,
        '-w',
        'start',
      ]);
      running = true;
    },
    async stop(mode = 'fast') {
      await runAsync('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
      running = false;
    },
    async destroy() {
      cleanups.delete(cleanup);
      cleanup();
    },
  };
  const cleanup = () => {
    if (running) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    running = false;
    rmSync(root, { recursive: true, force: true });
  };
  cleanups.add(cleanup);
  await server.start();
  return server;
}

/** One reply line from a Redis at `port` (RESP inline), e.g. `CLIENT PAUSE 8000 ALL`. */
export function redisCommand(port, line, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`Redis did not answer ${line}`)));
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      const end = reply.indexOf('\r\n');
      if (end < 0) return;
      socket.end();
      const first = reply.slice(0, end);
      if (first.startsWith('-')) reject(new Error(first.slice(1)));
      else resolve(first);
    });
    socket.write(`${line}\r\n`);
  });
}

/** A redis-server of the run's own: `{ url, port, command(line), kill(), start(), destroy() }`. */
export async function startRedis() {
  const program = onPath('redis-server');
  const root = mkdtempSync(join(tmpdir(), 'keycard-faults-redis-'));
  const port = await sparePort();
  let child;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly'];
    child = spawn(program, [...args, 'no', '--dir', root], { stdio: 'ignore' });
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (
        await redisCommand(port, 'PING', 500).then(
          () => true,
          () => false,
        )
      )
        return;
      await sleep(50);
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const kill = async () => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  };
  const cleanup = () => {
    child?.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  cleanups.add(cleanup);
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    command: (line) => redisCommand(port, line),
    kill,
    start,
    async destroy() {
      cleanups.delete(cleanup);
      await kill();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Only what node needs: the developer's DATABASE_URL and friends must not leak into a run. */
function cleanEnv(env) {
  const base = { NO_COLOR: '1' };
  for (const name of ['PATH', 'HOME', 'LANG', 'TMPDIR'])
    if (process.env[name]) base[name] = process.env[name];
  return { ...base, ...env };
}

/**
 * `node dist/apps/<app>/main.js` with `env`, logging to `<logDir>/<label>.log` (appended, so a
 * restart keeps the first run's lines). `start()` resolves once `GET <url>/health/ready` is 200.
 * `kill()` is SIGKILL (a crash), `stop()` SIGTERM (graceful).
 */
export function serviceProcess({ root, app, label, env, url, logDir }) {
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `${label}.log`);
  let child;
  let exited = Promise.resolve();
  const service = {
    url,
    logPath,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async start(timeoutMs = 60_000) {
      const log = openSync(logPath, 'a');
      child = spawn(process.execPath, [join(root, 'dist', 'apps', app, 'main.js')], {
        cwd: root,
        env: cleanEnv(env),
        stdio: ['ignore', log, log],
      });
      closeSync(log);
      const current = child;
      exited = new Promise((resolve) => current.once('exit', resolve));
      const deadline = Date.now() + timeoutMs;
      let last = 'no answer';
      while (Date.now() < deadline && service.running) {
        last = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) })
          .then(async (response) => `${response.status} ${await response.text()}`)
          .catch((error) => error.message);
        if (last.startsWith('200')) return;
        await sleep(100);
      }
      const tail = readFileSync(logPath, 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-5)
        .map((line) => line.slice(0, 300))
        .join('\n');
      await service.kill();
      throw new Error(
        `${label} did not become ready at ${url} (${last}; log ${logPath}):\n${tail}`,
      );
    },
    async kill() {
      if (!service.running) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!service.running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  cleanups.add(() => child?.kill('SIGKILL'));
  return service;
}
