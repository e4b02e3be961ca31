/** A bad or missing setting: start-up stops with one line naming the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function envString(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function envOptional(env: Env, name: string): string | undefined {
  return raw(env, name);
}

export function envRequired(env: Env, name: string, why: string): string {
  const value = raw(env, name);
  if (value === undefined) throw new ConfigError(name, `is required ${why}`);
  return value;
}

export function envInt(
  env: Env,
  name: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A plain decimal from `min` to `max` (a share: `0.25`), else `fallback` when unset. */
export function envFraction(env: Env, name: string, fallback: number, min = 0, max = 1): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(value))
    throw new ConfigError(name, `must be a decimal number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** One of `allowed` (compared in lower case), else `fallback` when unset. */
export function envOneOf<T extends string>(
  env: Env,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = raw(env, name)?.toLowerCase() ?? fallback;
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined)
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
  return match;
}

export function envPort(env: Env, name: string, fallback: number): number {
  return envInt(env, name, fallback, 0, 65535);
}

export function envBool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(name, `must be true or false, got "${value}"`);
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `90`, `90s`, `15m`, `24h`, `7d` or `500ms` into seconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's').toLowerCase()];
}

/** A duration setting in seconds (`15m`, `7d`, `300`…). */
export function envDuration(
  env: Env,
  name: string,
  fallback: string,
  minSeconds = 0,
  maxSeconds = Number.POSITIVE_INFINITY,
): number {
  const value = raw(env, name) ?? fallback;
  const seconds = parseDuration(value);
  if (seconds === undefined) {
    throw new ConfigError(name, `must be a duration such as 30s, 15m, 24h or 7d, got "${value}"`);
  }
  if (seconds < minSeconds) throw new ConfigError(name, `must be at least ${minSeconds}s`);
  if (seconds > maxSeconds) throw new ConfigError(name, `must be at most ${maxSeconds}s`);
  return seconds;
}

/** An http(s) URL without a trailing slash. */
export function envHttpUrl(env: Env, name: string, fallback?: string): string {
  const value = raw(env, name) ?? fallback;
  if (value === undefined) throw new ConfigError(name, 'is required');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must be an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * `AUTH_ISSUER`, defaulting to the address the auth-service listens on (`AUTH_HOST`, a wildcard
 * address read as `localhost`, and `AUTH_PORT`), so changing only the port keeps tokens' `iss` and
 * the resource-service's discovery URL in step with it.
 */
export function envIssuer(env: Env): string {
  const host = raw(env, 'AUTH_HOST');
  const name = host === undefined || ['0.0.0.0', '::', '[::]'].includes(host) ? 'localhost' : host;
  const bracketed = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
  return envHttpUrl(env, 'AUTH_ISSUER', `http://${bracketed}:${envPort(env, 'AUTH_PORT', 3000)}`);
}

export function envOptionalHttpUrl(env: Env, name: string): string | undefined {
  return raw(env, name) === undefined ? undefined : envHttpUrl(env, name);
}

/** A PostgreSQL connection URL, or undefined for the embedded SQLite default. */
export function envPostgresUrl(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'must be a postgres:// URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, 'must be a postgres:// URL');
  }
  if (!url.hostname && !url.searchParams.get('host')) throw new ConfigError(name, 'has no host');
  return value;
}

/** A Redis connection URL, or undefined when Redis is not used. */
export function envRedisUrl(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'must be a redis:// URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(name, 'must be a redis:// URL');
  }
  return value;
}

/** A comma-separated list. */
export function envList(env: Env, name: string): string[] {
  return (raw(env, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
