import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import type { RedisDriver } from './redis-driver';
import { redisDriver } from './redis-driver';

/** A dependency of the service (the database or Redis) that did not answer in time. */
export class DependencyTimeoutError extends Error {
  constructor(
    readonly dependency: 'database' | 'redis',
    readonly timeoutMs: number,
  ) {
    super(`${dependency} did not answer within ${timeoutMs} ms`);
    this.name = 'DependencyTimeoutError';
  }
}

/**
 * PostgreSQL SQLSTATEs of a server that cannot serve now (as opposed to a bad query): query
 * canceled (`statement_timeout`), lock not available (`lock_timeout`), shutting down, starting up,
 * too many connections, out of resources, and the whole connection-exception class 08.
 */
const UNAVAILABLE_SQLSTATE = /^(57014|55P03|57P0[1-4]|53\d{3}|08\w{3})$/;

/** Socket errors of a server that is down or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // SQLite: another connection holds the lock past the busy timeout.
  'SQLITE_BUSY',
]);

/** node-redis errors of a server that is gone or slow (offline, closed, timed out, dropped). */
const REDIS_UNAVAILABLE = [
  'ClientClosedError',
  'ClientOfflineError',
  'ConnectionTimeoutError',
  'ReconnectStrategyError',
  'SocketClosedUnexpectedlyError',
  'SocketTimeoutError',
  'TimeoutError',
] as const satisfies readonly (keyof RedisDriver)[];
const REDIS_UNAVAILABLE_NAMES: ReadonlySet<string> = new Set(REDIS_UNAVAILABLE);

/**
 * Whether `error` is an instance of one of `REDIS_UNAVAILABLE`. The classes' names along its
 * prototype chain are looked at first, so that node-redis (loaded lazily, see `redisDriver`) is
 * loaded only to check an error that may be one of its own.
 */
function isRedisUnavailable(error: object): boolean {
  let named = false;
  for (
    let proto: unknown = Object.getPrototypeOf(error);
    proto;
    proto = Object.getPrototypeOf(proto)
  ) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && REDIS_UNAVAILABLE_NAMES.has(name)) named = true;
  }
  if (!named) return false;
  const redis = redisDriver();
  return REDIS_UNAVAILABLE.some((type) => error instanceof redis[type]);
}

/**
 * Messages of node-postgres's plain errors for a server that is gone or slow: a connection ended
 * by the server, pool and read timeouts.
 */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Query read timeout$/,
  /^Client has encountered a connection error and is not queryable$/,
];

function codeOf(error: object): unknown {
  const driverError = error instanceof QueryFailedError ? error.driverError : undefined;
  return (
    (driverError as { code?: unknown } | undefined)?.code ?? (error as { code?: unknown }).code
  );
}

/**
 * PostgreSQL SQLSTATEs of a parameter it cannot hold as text: U+0000 or bytes that are not UTF-8
 * (22021 `character_not_in_repertoire`), a character the database's encoding lacks (22P05). Text
 * from a request that reached a statement unchanged (a search, a name): the request's fault.
 */
const UNSTORABLE_TEXT_SQLSTATE: ReadonlySet<string> = new Set(['22021', '22P05']);

/** Whether `error` is PostgreSQL refusing the text of a parameter (see UNSTORABLE_TEXT_SQLSTATE). */
export function isUnstorableText(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = codeOf(error);
  return typeof code === 'string' && UNSTORABLE_TEXT_SQLSTATE.has(code);
}

/**
 * Whether `error` means a dependency is unavailable (down, unreachable, too slow) rather than a
 * bug or a bad request: such a request is answered 503 `dependency_unavailable`, never 500.
 */
export function isDependencyFailure(error: unknown): boolean {
  if (error instanceof DependencyTimeoutError) return true;
  // TypeORM releases a query runner whose connection broke; the transaction's next statement then
  // fails with this (seen with PostgreSQL stopped in the middle of a refresh, `npm run faults`).
  if (error instanceof QueryRunnerAlreadyReleasedError) return true;
  if (typeof error !== 'object' || error === null) return false;
  if (isRedisUnavailable(error)) return true;
  const code = codeOf(error);
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || NETWORK_CODES.has(code)))
    return true;
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message)))
    return true;
  // AggregateError (a connect to every address of a host failed) and errors with a cause.
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.length > 0 && nested.every(isDependencyFailure)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isDependencyFailure(cause);
}

/** `promise`, or a `DependencyTimeoutError` once `timeoutMs` has passed without an answer. */
export function withDeadline<T>(
  promise: Promise<T>,
  dependency: DependencyTimeoutError['dependency'],
  timeoutMs: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new DependencyTimeoutError(dependency, timeoutMs)),
      timeoutMs,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
