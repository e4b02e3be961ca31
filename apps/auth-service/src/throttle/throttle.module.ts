import { Module } from '@nestjs/common';
import { RateLimitStore } from '@keycard/common';
import { LoginThrottleService } from './login-throttle.service';
import { rateLimitStoreProvider } from './rate-limit.provider';

/**
 * Rate limits: the shared `RateLimitStore` (Redis when `REDIS_URL` is set, else in memory) and
 * login brute-force protection. Needs `REDIS_CLIENT` (RedisModule, global) and `Clock` (global).
 */
@Module({
  providers: [rateLimitStoreProvider, LoginThrottleService],
  exports: [RateLimitStore, LoginThrottleService],
})
export class ThrottleModule {}
