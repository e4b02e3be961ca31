import { Module } from '@nestjs/common';
import { RateLimitStore } from '@keycard/common';
import { GoogleStartThrottle } from './google-start-throttle.service';
import { LoginThrottleService } from './login-throttle.service';
import { rateLimitStoreProvider } from './rate-limit.provider';
import { RefusalWindows } from './refusal-windows';
import { RegisterThrottle } from './register-throttle.service';

/**
 * Rate limits: the shared `RateLimitStore` (Redis when `REDIS_URL` is set, else in memory) and
 * login brute-force protection, the per-IP limits on sign-ups and Google sign-in starts, and the
 * one-audit-row-per-window rule for refused requests (`RefusalWindows`). Needs
 * `REDIS_CLIENT` (RedisModule, global) and `Clock` (global).
 */
@Module({
  providers: [
    rateLimitStoreProvider,
    LoginThrottleService,
    GoogleStartThrottle,
    RegisterThrottle,
    RefusalWindows,
  ],
  exports: [
    RateLimitStore,
    LoginThrottleService,
    GoogleStartThrottle,
    RegisterThrottle,
    RefusalWindows,
  ],
})
export class ThrottleModule {}
