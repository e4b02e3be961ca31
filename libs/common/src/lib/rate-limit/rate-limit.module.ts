import {
  Inject,
  Module,
  type DynamicModule,
  type InjectionToken,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SystemClock } from '../clock';
import { connectRedis, type RedisClient } from '../redis';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { RateLimitStore } from './rate-limit.store';
import { RedisRateLimitStore } from './redis-rate-limit.store';

/** Injection token of the rate limits' Redis client (`null` without `REDIS_URL`). */
export const RATE_LIMIT_REDIS = Symbol('RATE_LIMIT_REDIS');

/** Where the limits are counted: a service's `REDIS_URL` and `REDIS_TIMEOUT` (seconds). */
export interface RateLimitRedisSettings {
  redisUrl?: string;
  redisTimeout: number;
}

export interface RateLimitModuleOptions {
  /** What `useFactory` is handed, e.g. the service's config key. */
  inject: InjectionToken[];
  useFactory: (...args: never[]) => RateLimitRedisSettings;
}

/**
 * The `RateLimitStore` of a service's API-key limits: Redis when `REDIS_URL` is set, so that
 * every instance of the service counts against the same limits (atomically); in process
 * otherwise. Global, so that `KeycardAuthModule.forRootAsync` and the observability module (whose
 * `/health/ready` pings `RATE_LIMIT_REDIS`) inject it without importing it a second time.
 */
@Module({})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMIT_REDIS) private readonly redis: RedisClient | null) {}

  static forRootAsync(options: RateLimitModuleOptions): DynamicModule {
    const settings = Symbol('RATE_LIMIT_SETTINGS');
    return {
      module: RateLimitModule,
      global: true,
      providers: [
        { provide: settings, inject: options.inject, useFactory: options.useFactory },
        {
          provide: RATE_LIMIT_REDIS,
          inject: [settings],
          useFactory: ({ redisUrl, redisTimeout }: RateLimitRedisSettings) =>
            redisUrl ? connectRedis(redisUrl, { commandTimeoutMs: redisTimeout * 1000 }) : null,
        },
        {
          provide: RateLimitStore,
          inject: [RATE_LIMIT_REDIS],
          useFactory: (redis: RedisClient | null): RateLimitStore =>
            redis ? new RedisRateLimitStore(redis) : new MemoryRateLimitStore(new SystemClock()),
        },
      ],
      exports: [RateLimitStore, RATE_LIMIT_REDIS],
    };
  }

  /** At shutdown, after the HTTP server has stopped, so requests in flight can still count. */
  async onApplicationShutdown(): Promise<void> {
    if (this.redis?.isOpen) await this.redis.close();
  }
}
