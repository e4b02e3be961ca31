import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_DIR } from './service-process';

/** The most verbose level the apps accept (`LOG_LEVEL`), so the log check sees everything. */
export const VERBOSE_LOGS = { LOG_LEVEL: 'trace' };

/** Long enough that a random match is impossible, short enough to catch a truncated secret. */
const WINDOW = 16;

export interface LogFile {
  name: string;
  text: string;
}

function logNames(label: string): string[] {
  if (!existsSync(LOG_DIR)) return [];
  return readdirSync(LOG_DIR).filter(
    (name) => name.startsWith(`${label}.`) && name.endsWith('.log'),
  );
}

/** Removes the log files of earlier runs under `label`, so `readLogs` sees this run's only. */
export function clearLogs(label: string): void {
  for (const name of logNames(label)) rmSync(join(LOG_DIR, name), { force: true });
}

/** Every log file the harness wrote for processes whose label starts with `label`. */
export function readLogs(label: string): LogFile[] {
  return logNames(label).map((name) => ({ name, text: readFileSync(join(LOG_DIR, name), 'utf8') }));
}

/**
 * The parts of a secret that must never be written: of a JWT its claims and its signature (the
 * header is the same for every token of a key), of a refresh token or an API key what follows the
 * public prefix, of anything else the whole value.
 */
function secretParts(value: string): string[] {
  const jwt = /^eyJ[\w-]+\.([\w-]+)\.([\w-]+)$/.exec(value);
  if (jwt) return [jwt[1], jwt[2]];
  const prefixed = /^(?:rt_|[sp]k_(?:live|test)_)(.+)$/.exec(value);
  return [prefixed ? prefixed[1] : value];
}

/**
 * Which secrets occur in which log, whole or as any 16-character slice of a secret part (a logged
 * JWT signature, a header printed truncated, a password inside a request body). Names only: the
 * answer goes into the test output, so it never repeats a secret.
 */
export function findLeaks(logs: LogFile[], secrets: Record<string, string>): string[] {
  const slices = new Map<string, string>();
  for (const [name, value] of Object.entries(secrets)) {
    if (value.length < WINDOW) throw new Error(`${name} is too short to look for reliably`);
    for (const part of secretParts(value)) {
      for (let i = 0; i + WINDOW <= part.length; i++) slices.set(part.slice(i, i + WINDOW), name);
    }
  }
  const leaks = new Set<string>();
  for (const log of logs) {
    for (let i = 0; i + WINDOW <= log.text.length; i++) {
      const name = slices.get(log.text.slice(i, i + WINDOW));
      if (name !== undefined) leaks.add(`${name} in ${log.name}`);
    }
  }
  return [...leaks];
}
