import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/*
 * Fault-tier test servers: a PostgreSQL and a Redis of the test's own, on spare loopback ports in a
 * temporary folder, that a test may stop, freeze, kill and bring back. Never the machine's shared
 * instances (TEST_DATABASE_URL / TEST_REDIS_URL). Linux only (signals, /proc).
 */

/** Where `initdb` and `pg_ctl` are: `KEYCARD_PG_BIN`, else the newest `/usr/lib/postgresql/<v>/bin`. */
function postgresBinDir(): string | undefined {
  const configured = process.env['KEYCARD_PG_BIN'];
  if (configured) return existsSync(join(configured, 'initdb')) ? configured : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : undefined;
}

function redisServerPath(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'redis-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Why a fault suite cannot run here (the missing program), or undefined when it can. Use it to
 * skip with the reason in the suite's name: `(missing ? describe.skip : describe)(…)`.
 */
export function missingFaultTools(needs: ('postgres' | 'redis')[]): string | undefined {
  const missing: string[] = [];
  if (needs.includes('postgres') && !postgresBinDir())
    missing.push('initdb/pg_ctl (PostgreSQL server binaries; set KEYCARD_PG_BIN)');
  if (needs.includes('redis') && !redisServerPath()) missing.push('redis-server on PATH');
  if (missing.length === 0) return undefined;
  const reason = `skipped: no ${missing.join(' and no ')}`;
  console.warn(`Fault tests ${reason}`); // a skipped suite's name is not shown; this line is
  return reason;
}

/** A free TCP port on 127.0.0.1 (free when asked; the server binds it right after). */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Processes whose parent is `pid` (from /proc), for signalling a whole PostgreSQL server. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  }
}

/** Everything started here is killed when the test process exits, even after a failed test. */
const cleanups = new Set<() => void>();
process.once('exit', () => {
  for (const cleanup of cleanups) cleanup();
});

/** The `postgres` system user when running as root (initdb refuses root), else nobody to switch to. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error('running as root needs a "postgres" user to run initdb as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  readonly url: string;
  readonly port: number;
  /** Starts the server (again) on the same port and data, waiting until it accepts connections. */
  start(): Promise<void>;
  /** `pg_ctl stop`: `fast` (clients disconnected, clean) or `immediate` (like a crash). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** The same as `stop`, synchronously: for a fault point that must act between two statements. */
  stopNow(mode?: 'fast' | 'immediate'): void;
  /** SIGSTOP to the server and its backends: connections stay open, nothing answers. */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

/** `initdb` + `pg_ctl start` in a temporary folder on a spare port: a PostgreSQL of the test's own. */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(missingFaultTools(['postgres']));
  const root = mkdtempSync(join(tmpdir(), 'keycard-fault-pg-'));
  const data = join(root, 'data');
  const user = postgresUser();
  if (user) chownSync(root, user.uid, user.gid);
  const port = await sparePort();
  const run = (program: string, args: string[]) =>
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
  const serverOptions = [
    `-p ${port}`,
    `-k ${root}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=50',
  ].join(' ');
  const postmasterPid = (): number | undefined => {
    try {
      return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
    } catch {
      return undefined;
    }
  };
  const serverPids = (): number[] => {
    const pid = postmasterPid();
    return pid ? [pid, ...childrenOf(pid)] : [];
  };
  const stopNow = (mode: 'fast' | 'immediate' = 'fast') => {
    signal(serverPids(), 'SIGCONT'); // a frozen server cannot stop
    run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  };
  let running = false;
  const server: ThrowawayPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      run('pg_ctl', [
        '-D',
        data,
        '-l',
        join(root, 'server.log'),
        '-o',
        serverOptions,
        '-w',
        'start',
      ]);
      running = true;
    },
    async stop(mode) {
      stopNow(mode);
      running = false;
    },
    stopNow(mode) {
      stopNow(mode);
      running = false;
    },
    freeze: () => signal(serverPids(), 'SIGSTOP'),
    thaw: () => signal(serverPids(), 'SIGCONT'),
    async destroy() {
      cleanups.delete(cleanup);
      cleanup();
    },
  };
  const cleanup = () => {
    try {
      if (running) stopNow('immediate');
    } catch {
      signal(serverPids(), 'SIGKILL');
    }
    running = false;
    rmSync(root, { recursive: true, force: true });
  };
  cleanups.add(cleanup);
  await server.start();
  return server;
}

export interface ThrowawayRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Runs one command (inline syntax, e.g. `CLIENT PAUSE 15000 ALL`) and returns the reply line. */
  command(line: string): Promise<string>;
  /** SIGSTOP: the server neither reads nor answers; connections stay open. */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
  /** SIGKILL: connections drop and new ones are refused. */
  kill(): Promise<void>;
  /** Starts a fresh, empty server on the same port (after `kill`). */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** One reply line from a Redis at `port`, talking RESP inline (no client library needed). */
function redisCommand(port: number, line: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`Redis did not answer "${line}"`)));
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

/** `redis-server --save "" --appendonly no` on a spare port: a Redis of the test's own. */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const program = redisServerPath();
  if (!program) throw new Error(missingFaultTools(['redis']));
  const root = mkdtempSync(join(tmpdir(), 'keycard-fault-redis-'));
  const port = await sparePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    child = spawn(program, [...args, '--dir', root], { stdio: 'ignore' });
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
    current.kill('SIGCONT');
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
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    kill,
    start,
    async destroy() {
      cleanups.delete(cleanup);
      await kill();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
