import { Logger } from '@nestjs/common';
import type { Clock, RateLimitResult, RateLimitStore } from '@keycard/common';
import { ipBucket, MemoryRateLimitStore, rateLimited, SystemClock } from '@keycard/common';
import { API_KEY_RATE_WINDOW_SECONDS } from './api-key-rate-limiter';

/** `API_KEY_FAILURE_LIMIT`'s default: failed keys a minute from one client IP. */
export const DEFAULT_API_KEY_FAILURE_LIMIT = 20;

/** Hands a reserved attempt back (it did not fail); never throws, never awaited. */
export type ReleaseAttempt = () => void;

/**
 * Failed API keys per client IP (an IPv4 address or an IPv6 /64, see `ipBucket`) in fixed
 * one-minute windows of the rate-limit store (Redis: shared by every instance). Checksums are
 * public, so a well-formed random key is free to make but costs an introspection: past the limit,
 * an IP's keys that are not cached get 429 before that call.
 *
 * Like the login throttle, an attempt is reserved before the introspection and handed back when
 * the key turns out good (or the check could not be made), so that concurrent guesses cannot all
 * pass a "failures so far" check before any failure is counted: what stays counted is failures,
 * plus the introspections still in flight. A refused attempt is handed back too, so it never
 * counts. When the store fails, attempts are counted per instance until it answers again.
 */
export class ApiKeyFailureLimiter {
  private readonly logger = new Logger('KeycardApiKeys');
  private fallback?: MemoryRateLimitStore;
  private storeDown = false;

  constructor(
    private readonly store: RateLimitStore,
    readonly perMinute = DEFAULT_API_KEY_FAILURE_LIMIT,
    private readonly clock: Clock = new SystemClock(),
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1)
      throw new Error('ApiKeyFailureLimiter: perMinute must be a whole number ≥ 1');
  }

  /**
   * Reserves one attempt for the client at `ip` (the platform's `request.ip`, which follows its
   * trust-proxy setting), or throws 429 with `Retry-After` when its failures are spent.
   */
  async reserve(ip: string | undefined): Promise<ReleaseAttempt> {
    const key = `apikey:fail:${ipBucket(ip ?? 'unknown')}`;
    const { store, result } = await this.hit(key);
    const release = () => {
      store.release(key).catch((error: unknown) => this.failed(error));
    };
    if (result.count > this.perMinute) {
      release();
      throw rateLimited(result.retryAfterSeconds, 'Too many invalid API keys from this address');
    }
    return release;
  }

  private async hit(key: string): Promise<{ store: RateLimitStore; result: RateLimitResult }> {
    try {
      const result = await this.store.hit(key, this.perMinute, API_KEY_RATE_WINDOW_SECONDS);
      if (this.storeDown) {
        this.storeDown = false;
        this.logger.log('API key failure-limit store answers again');
      }
      return { store: this.store, result };
    } catch (error) {
      this.failed(error);
      this.fallback ??= new MemoryRateLimitStore(this.clock);
      const result = await this.fallback.hit(key, this.perMinute, API_KEY_RATE_WINDOW_SECONDS);
      return { store: this.fallback, result };
    }
  }

  private failed(error: unknown): void {
    if (this.storeDown) return;
    this.storeDown = true;
    const why = error instanceof Error ? error.message : String(error);
    this.logger.error(`API key failure-limit store failed (${why}); counting per instance`);
  }
}
