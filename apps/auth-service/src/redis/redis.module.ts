import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { connectRedis, REDIS_CLIENT, RedisClient } from './redis.client';

/**
 * Provides `REDIS_CLIENT` everywhere: one connected client when `REDIS_URL` is set, else `null`
 * (every user of Redis has an in-process fallback).
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [authConfig.KEY],
      useFactory: (config: AuthSettings): Promise<RedisClient> | null =>
        config.redisUrl
          ? connectRedis(config.redisUrl, { commandTimeoutMs: config.redisTimeout * 1000 })
          : null,
    },
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: RedisClient | null) {}

  /**
   * Closed at shutdown rather than at module destroy: Nest stops the HTTP server between the two,
   * so requests still in flight (sessions, rate limits) can finish their Redis calls first.
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.client?.isOpen) await this.client.close();
  }
}
