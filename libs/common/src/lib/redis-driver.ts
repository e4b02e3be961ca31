import type * as Redis from 'redis';

/** The `redis` package (node-redis) as a module object. */
export type RedisDriver = typeof Redis;

let driver: RedisDriver | undefined;

/**
 * node-redis, loaded on first use instead of at start-up: a service without `REDIS_URL` never
 * needs it, and its hundreds of modules were the largest single package a start loaded
 * (`npm run bench:start`). Every use of the driver goes through here.
 */
export function redisDriver(): RedisDriver {
  // A literal require in a function: webpack keeps the external's load where it is called.
  driver ??= require('redis') as RedisDriver;
  return driver;
}
