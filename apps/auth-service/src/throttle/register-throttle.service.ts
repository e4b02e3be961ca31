import { Inject, Injectable } from '@nestjs/common';
import { ipBucket, rateLimited, RateLimitStore } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { authConfig, AuthSettings } from '../config/auth.config';
import { RefusalWindows } from './refusal-windows';

/** Sign-ups are counted per client IP in windows of an hour. */
export const REGISTER_WINDOW_SECONDS = 3600;

/**
 * Limits `POST /auth/register` per client IP (`REGISTER_RATE_LIMIT` an hour, an IPv6 /64 counting
 * as one address). Every sign-up writes a user row and an audit row, and a 409 tells whether an
 * address is registered: without a limit one client could fill the users table or enumerate
 * accounts. Every attempt counts, whatever its outcome. Counted in the shared `RateLimitStore`.
 */
@Injectable()
export class RegisterThrottle {
  constructor(
    private readonly store: RateLimitStore,
    private readonly refusals: RefusalWindows,
    @Inject(authConfig.KEY) private readonly config: Pick<AuthSettings, 'registerRateLimit'>,
    private readonly audit: AuditService,
    private readonly metrics: KeycardMetrics,
  ) {}

  /** Counts one sign-up from `ip`; 429 with `Retry-After` over the limit. */
  async hit(ip: string): Promise<void> {
    const key = `register:${ipBucket(ip)}`;
    const result = await this.store.hit(
      key,
      this.config.registerRateLimit,
      REGISTER_WINDOW_SECONDS,
    );
    if (result.allowed) return;
    this.metrics.rateLimited.inc({ limiter: 'register' });
    if (await this.refusals.opensWindow([key], result.retryAfterSeconds)) {
      void this.audit.record({
        type: AuditEventType.RegisterRateLimited,
        outcome: 'failure',
        actor: null,
        details: { limiter: 'register', retryAfter: result.retryAfterSeconds },
      });
    }
    throw rateLimited(result.retryAfterSeconds, 'Too many sign-ups from this address');
  }
}
