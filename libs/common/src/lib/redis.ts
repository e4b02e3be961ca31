import { Logger } from '@nestjs/common';
import type { RedisClientType } from 'redis';
import { withDeadline } from './dependency-failure';
import { redisDriver } from './redis-driver';
import { ConfigError } from './env';

/** A connected node-redis v5 client, as `connectRedis` returns it. */
export type RedisClient = RedisClientType;

const CONNECT_TIMEOUT_MS = 5000;
const MAX_RECONNECT_DELAY_MS = 2000;
/** `REDIS_TIMEOUT`'s default: the longest a command may wait for its answer. */
export const DEFAULT_REDIS_TIMEOUT_MS = 1000;

export interface RedisConnectOptions {
  /**
   * The longest any command waits for its answer before it fails with a `DependencyTimeoutError`
   * (answered 503): a Redis that is paused or stuck must not hold requests. Default 1 s.
   */
  commandTimeoutMs?: number;
  logger?: Logger;
}

/** `redis://host:port/db` with any user name and password removed, safe for logs. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'redis://<unparseable>';
  }
}

function passwordsOf(url: string): string[] {
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return [];
  }
  if (!password) return [];
  try {
    return [...new Set([password, decodeURIComponent(password)])];
  } catch {
    return [password];
  }
}

/** Removes the URL and its password (raw and decoded) from a driver message before it is logged. */
export function redactRedisSecret(message: string, url: string): string {
  let redacted = message.split(url).join(describeRedisUrl(url));
  for (const secret of passwordsOf(url)) redacted = redacted.split(secret).join('***');
  return redacted;
}

/**
 * Connects to Redis and resolves once it is ready. The first connection fails fast (a
 * `ConfigError` naming `REDIS_URL`, so start-up stops with one clear line); after that the client
 * reconnects with a capped backoff. Commands fail at once while disconnected instead of queueing,
 * and wait at most `commandTimeoutMs` for an answer, so a Redis outage turns into errors (503),
 * never into requests that hang.
 */
export async function connectRedis(
  url: string,
  options: RedisConnectOptions = {},
): Promise<RedisClient> {
  const logger = options.logger ?? new Logger('Redis');
  const where = describeRedisUrl(url);
  let everReady = false;
  let lastLogged: string | undefined;
  const client: RedisClient = redisDriver().createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // Returning an Error stops retrying and rejects `connect()`. A fresh Error rather than
      // `cause`: the driver tests `instanceof Error`, which fails for errors from another realm.
      reconnectStrategy: (retries, cause) =>
        everReady
          ? Math.min(100 * 2 ** Math.min(retries, 6), MAX_RECONNECT_DELAY_MS)
          : new Error(cause.message, { cause }),
    },
  });
  const timeoutMs = options.commandTimeoutMs;
  limitCommandTime(
    client,
    timeoutMs !== undefined && timeoutMs > 0 ? timeoutMs : DEFAULT_REDIS_TIMEOUT_MS,
  );
  client.on('error', (error: unknown) => {
    if (!everReady) return; // start-up failures are reported once, by the rejected connect below
    const message = redactRedisSecret(error instanceof Error ? error.message : String(error), url);
    if (message === lastLogged) return; // one line per distinct failure, not one per retry
    lastLogged = message;
    logger.error(`Redis at ${where}: ${message}`);
  });
  client.on('ready', () => {
    if (everReady && lastLogged !== undefined) logger.log(`Redis at ${where}: connection restored`);
    everReady = true;
    lastLogged = undefined;
  });
  try {
    await client.connect();
  } catch (error) {
    const detail = error instanceof Error ? redactRedisSecret(error.message, url) : 'unknown error';
    throw new ConfigError('REDIS_URL', `cannot connect to Redis at ${where} (${detail})`);
  }
  return client;
}

/**
 * Bounds every command of `client` by `timeoutMs`. node-redis's own command timeout stops
 * counting once a command is written, and a paused or stuck server accepts writes and never
 * answers; so the answer is raced with a timer instead. Every command and script goes through
 * `sendCommand`. A command that timed out may still run when the server wakes up, in order with
 * the commands written after it on this connection (what `LoginThrottleService` relies on to take
 * a late reservation back).
 */
function limitCommandTime(client: RedisClient, timeoutMs: number): void {
  // `createClient` returns a proxy (`Object.create`) of the instance its commands run on
  // (`_self`): the override goes on that instance, which the proxy inherits it from.
  const instance = (client as unknown as { _self?: RedisClient })._self ?? client;
  const send = instance.sendCommand.bind(instance);
  instance.sendCommand = ((...args: Parameters<typeof send>) =>
    withDeadline(send(...args), 'redis', timeoutMs)) as typeof instance.sendCommand;
}

/**
 * For `main.ts`, next to `assertPostgresReachable`: checks `REDIS_URL` before Nest starts, so an
 * unreachable Redis stops start-up with one line (a `ConfigError`) rather than a DI failure.
 */
export async function assertRedisReachable(url: string): Promise<void> {
  const client = await connectRedis(url);
  await client.close();
}
