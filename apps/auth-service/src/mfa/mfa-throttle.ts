import { Inject, Injectable } from '@nestjs/common';
import { RateLimitStore, rateLimited } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { MFA_SETTINGS, MfaSettings } from './mfa-settings';

const LOCKED_MESSAGE = 'Too many wrong codes; try again later';

/**
 * Wrong second-factor codes (TOTP or recovery) per user: `MFA_MAX_FAILURES` (5) in `MFA_LOCKOUT`
 * (15 minutes), then 429 with `Retry-After`. In the shared `RateLimitStore`, so the count holds
 * across instances on Redis. Like the login throttle, an attempt is reserved before the code is
 * checked (parallel guesses cannot all slip under the limit) and given back unless it was wrong.
 *
 * Usage: `await begin(userId)`, check the code, then `await giveBack(userId)` unless it was wrong.
 */
@Injectable()
export class MfaThrottle {
  constructor(
    private readonly store: RateLimitStore,
    @Inject(MFA_SETTINGS) private readonly mfa: MfaSettings,
    private readonly metrics: KeycardMetrics,
  ) {}

  async begin(userId: string): Promise<void> {
    const key = failuresKey(userId);
    const result = await this.store.hit(key, this.mfa.maxFailures, this.mfa.lockout);
    if (result.allowed) return;
    await this.giveBack(userId);
    this.metrics.rateLimited.inc({ limiter: 'mfa' });
    throw rateLimited(result.retryAfterSeconds, LOCKED_MESSAGE);
  }

  /** The attempt was right, or failed for another reason than a wrong code: it does not count. */
  async giveBack(userId: string): Promise<void> {
    await this.store.release(failuresKey(userId)).catch(() => undefined);
  }

  /**
   * Marks a one-time value (an `mfaToken`, a passkey challenge) as used; false when it already
   * was. Kept as long as the value could still be presented.
   */
  async markUsed(kind: string, id: string, ttlSeconds: number): Promise<boolean> {
    const result = await this.store.hit(`mfa:used:${kind}:${id}`, 1, ttlSeconds);
    return result.allowed;
  }
}

function failuresKey(userId: string): string {
  return `mfa:fail:${userId}`;
}
