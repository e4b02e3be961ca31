import type { Provider } from '@nestjs/common';
import { Clock, MemoryRateLimitStore, RateLimitStore, RedisRateLimitStore } from '@keycard/common';
import type { RedisClient } from '../redis/redis.client';
import { REDIS_CLIENT } from '../redis/redis.client';

/**
 * Redis when `REDIS_URL` is set, so that every instance counts against the same limits;
 * otherwise an in-process store, which is exact for the single instance of the embedded setup.
 */
export const rateLimitStoreProvider: Provider = {
  provide: RateLimitStore,
  inject: [REDIS_CLIENT, Clock],
  useFactory: (redis: RedisClient | null, clock: Clock): RateLimitStore =>
    redis ? new RedisRateLimitStore(redis) : new MemoryRateLimitStore(clock),
};
