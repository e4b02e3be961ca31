import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import {
  connectRedis,
  MemoryRateLimitStore,
  RateLimitStore,
  RedisClient,
  RedisRateLimitStore,
  SystemClock,
} from '@keycard/common';
import { resourceConfig, ResourceSettings } from '../config/resource.config';

/** Injection token of the Redis client (`null` without `REDIS_URL`). */
export const RESOURCE_REDIS = Symbol('RESOURCE_REDIS');

/**
 * The `RateLimitStore` of API-key limits: Redis when `REDIS_URL` is set, so that every instance of
 * the resource-service counts against the same limits (atomically); in process otherwise.
 */
@Module({
  providers: [
    {
      provide: RESOURCE_REDIS,
      inject: [resourceConfig.KEY],
      useFactory: (config: ResourceSettings): Promise<RedisClient> | null =>
        config.redisUrl
          ? connectRedis(config.redisUrl, { commandTimeoutMs: config.redisTimeout * 1000 })
          : null,
    },
    {
      provide: RateLimitStore,
      inject: [RESOURCE_REDIS],
      useFactory: (redis: RedisClient | null): RateLimitStore =>
        redis ? new RedisRateLimitStore(redis) : new MemoryRateLimitStore(new SystemClock()),
    },
  ],
  // RESOURCE_REDIS too: `/health/ready` pings it.
  exports: [RateLimitStore, RESOURCE_REDIS],
})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(@Inject(RESOURCE_REDIS) private readonly redis: RedisClient | null) {}

  /** At shutdown, after the HTTP server has stopped, so requests in flight can still count. */
  async onApplicationShutdown(): Promise<void> {
    if (this.redis?.isOpen) await this.redis.close();
  }
}
