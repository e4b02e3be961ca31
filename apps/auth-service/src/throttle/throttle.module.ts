import { Module } from '@nestjs/common';
import { RateLimitStore } from '@keycard/common';
import { GoogleStartThrottle } from './google-start-throttle.service';
import { LoginThrottleService } from './login-throttle.service';
import { rateLimitStoreProvider } from './rate-limit.provider';

/**
 * Rate limits: the shared `RateLimitStore` (Redis when `REDIS_URL` is set, else in memory) and
 * login brute-force protection, and the per-IP limit on Google sign-in starts. Needs
 * `REDIS_CLIENT` (RedisModule, global) and `Clock` (global).
 */
@Module({
  providers: [rateLimitStoreProvider, LoginThrottleService, GoogleStartThrottle],
  exports: [RateLimitStore, LoginThrottleService, GoogleStartThrottle],
})
export class ThrottleModule {}
