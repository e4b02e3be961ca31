/**
 * The Redis helpers live in `@keycard/common` (shared with the resource-service); this file keeps
 * the auth-service's injection token and the old import path for the modules that use it.
 */
export {
  assertRedisReachable,
  connectRedis,
  describeRedisUrl,
  redactRedisSecret,
  type RedisClient,
} from '@keycard/common';

/** Injection token of the shared client: `@Inject(REDIS_CLIENT) redis: RedisClient | null`. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
