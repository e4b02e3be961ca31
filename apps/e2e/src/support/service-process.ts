import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
/** Every service's stdout and stderr land here (the git-ignored `artifacts/`). */
export const LOG_DIR = join(WORKSPACE_ROOT, 'artifacts', 'e2e-logs');

export type ServiceName = 'auth-service' | 'resource-service';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopResult extends Exit {
  /** True when SIGTERM was not enough and the process had to be killed. */
  forced: boolean;
}

const HEALTH_POLL_MS = 100;
const HEALTH_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

/** The built entry point of an app; `nx run e2e:e2e` builds it first. */
export function entryOf(name: ServiceName): string {
  const entry = join(WORKSPACE_ROOT, 'dist', 'apps', name, 'main.js');
  if (!existsSync(entry)) {
    throw new Error(
      `${entry} is missing: build first (npx nx run-many -t build -p auth-service resource-service)`,
    );
  }
  return entry;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}

function tailOf(path: string, lines: number): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** One built app running as a real child process, its output going to two log files. */
export class ServiceProcess {
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  private constructor(
    readonly name: ServiceName,
    readonly label: string,
    private readonly child: ChildProcess,
    readonly stdoutPath: string,
    readonly stderrPath: string,
  ) {
    this.exited = new Promise<Exit>((resolveExit) => {
      child.once('exit', (code, signal) => resolveExit((this.exit = { code, signal })));
      child.once('error', () => resolveExit((this.exit = { code: -1, signal: null })));
    });
  }

  /** Starts `node dist/apps/<name>/main.js` with exactly `env` (nothing inherited by accident). */
  static spawn(name: ServiceName, label: string, env: Record<string, string>): ServiceProcess {
    mkdirSync(LOG_DIR, { recursive: true });
    const stdoutPath = join(LOG_DIR, `${label}.${name}.stdout.log`);
    const stderrPath = join(LOG_DIR, `${label}.${name}.stderr.log`);
    const out = openSync(stdoutPath, 'w');
    const err = openSync(stderrPath, 'w');
    try {
      const child = spawn(process.execPath, [entryOf(name)], {
        cwd: WORKSPACE_ROOT,
        env,
        stdio: ['ignore', out, err],
      });
      return new ServiceProcess(name, label, child, stdoutPath, stderrPath);
    } finally {
      closeSync(out);
      closeSync(err);
    }
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  stderr(): string {
    return existsSync(this.stderrPath) ? readFileSync(this.stderrPath, 'utf8') : '';
  }

  /** The last lines of both logs, for failure messages. */
  logTail(lines = 40): string {
    return [
      `--- ${this.name} stdout (${this.stdoutPath}) ---`,
      tailOf(this.stdoutPath, lines),
      `--- ${this.name} stderr (${this.stderrPath}) ---`,
      tailOf(this.stderrPath, lines),
    ].join('\n');
  }

  /** Polls `GET <url>/health` every 100 ms until it answers 200; fails at once if the process exits. */
  waitUntilHealthy(url: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<void> {
    return this.waitFor200(`${url}/health`, timeoutMs);
  }

  /** The same for `GET <url>/health/ready`: the database, Redis and (verifiers) the issuer's keys. */
  waitUntilReady(url: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<void> {
    return this.waitFor200(`${url}/health/ready`, timeoutMs);
  }

  private async waitFor200(probe: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastProblem = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(
          `${this.name} exited (${JSON.stringify(this.exit)}) before ${probe} answered`,
        );
      }
      try {
        const response = await fetch(probe, { signal: AbortSignal.timeout(1_000) });
        await response.arrayBuffer();
        if (response.status === 200) return;
        lastProblem = `status ${response.status}`;
      } catch (error) {
        lastProblem = (error as Error).message;
      }
      await delay(HEALTH_POLL_MS);
    }
    throw new Error(
      `${this.name}: ${probe} did not answer 200 within ${timeoutMs} ms (${lastProblem})`,
    );
  }

  /** Resolves with the exit, or rejects when the process is still running after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name} still running after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then SIGKILL when the process is still there after 5 s. */
  async stop(graceMs = STOP_GRACE_MS): Promise<StopResult> {
    if (!this.running) return { ...(await this.exited), forced: false };
    this.child.kill('SIGTERM');
    try {
      return { ...(await this.waitForExit(graceMs)), forced: false };
    } catch {
      this.child.kill('SIGKILL');
      return { ...(await this.exited), forced: true };
    }
  }
}
