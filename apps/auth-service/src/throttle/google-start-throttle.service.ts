import { Inject, Injectable } from '@nestjs/common';
import { ipBucket, rateLimited, RateLimitStore } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { authConfig, AuthSettings } from '../config/auth.config';
import { RefusalWindows } from './refusal-windows';

/** Google sign-in starts are counted per client IP in windows of a minute. */
export const GOOGLE_START_WINDOW_SECONDS = 60;

/**
 * Limits `GET /auth/google` per client IP (`GOOGLE_START_RATE_LIMIT` a minute). Each start stores
 * a transaction row for up to ten minutes; without a limit one address could fill the table.
 * Counted in the shared `RateLimitStore` (Redis when `REDIS_URL` is set), before any row is written.
 * A refused address gets one audit row per window (`RefusalWindows`), not one per request.
 */
@Injectable()
export class GoogleStartThrottle {
  constructor(
    private readonly store: RateLimitStore,
    private readonly refusals: RefusalWindows,
    @Inject(authConfig.KEY)
    private readonly config: Pick<AuthSettings, 'googleStartRateLimit'>,
    private readonly audit: AuditService,
    private readonly metrics: KeycardMetrics,
  ) {}

  /** Counts one start from `ip`; 429 with `Retry-After` over the limit. */
  async hit(ip: string): Promise<void> {
    const key = `google:start:${ipBucket(ip)}`;
    const result = await this.store.hit(
      key,
      this.config.googleStartRateLimit,
      GOOGLE_START_WINDOW_SECONDS,
    );
    if (result.allowed) return;
    this.metrics.rateLimited.inc({ limiter: 'google_start' });
    if (await this.refusals.opensWindow([key], result.retryAfterSeconds)) {
      void this.audit.record({
        type: AuditEventType.GoogleStartRateLimited,
        outcome: 'failure',
        actor: null,
        details: { limiter: 'google_start', retryAfter: result.retryAfterSeconds },
      });
    }
    throw rateLimited(result.retryAfterSeconds, 'Too many sign-in attempts from this address');
  }
}
