import { Logger } from '@nestjs/common';
import type { Clock, RateLimitResult, RateLimitStore } from '@keycard/common';
import {
  ErrorCode,
  KeycardError,
  MemoryRateLimitStore,
  sha256Hex,
  SystemClock,
} from '@keycard/common';
import { BoundedCache } from '../bounded-cache';

/** The fixed window of API-key rate limits: limits are requests a minute. */
export const API_KEY_RATE_WINDOW_SECONDS = 60;
/** `API_KEY_RATE_LIMIT`'s default. */
export const DEFAULT_API_KEY_RATE_LIMIT = 600;

/** Where one key stands in its current window. */
export interface RateLimitState {
  /** Requests a minute allowed. */
  limit: number;
  /** Requests counted in this window, the current one included. */
  count: number;
  /** Whole seconds until the window ends (at least 1). */
  resetSeconds: number;
}

/**
 * The rate-limit fields of draft-ietf-httpapi-ratelimit-headers, in the `RateLimit-Limit`,
 * `-Remaining`, `-Reset` (seconds) form that clients and proxies read today.
 */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'RateLimit-Limit': String(state.limit),
    'RateLimit-Remaining': String(Math.max(0, state.limit - state.count)),
    'RateLimit-Reset': String(state.resetSeconds),
  };
}

/** 429 with `Retry-After` and the RateLimit-* fields. */
export function apiKeyRateLimited(state: RateLimitState): KeycardError {
  return new KeycardError(ErrorCode.RateLimited, {
    message: 'API key rate limit exceeded',
    reason: `API key over its limit of ${state.limit} requests a minute`,
    headers: { 'Retry-After': String(state.resetSeconds), ...rateLimitHeaders(state) },
    details: { retryAfter: state.resetSeconds },
  });
}

/** The store key of an API key: derived from its hash, so neither the key nor the lookup hash is stored. */
function storeKeyOf(keyHash: string): string {
  return `apikey:${sha256Hex(`keycard-rate-limit:${keyHash}`).slice(0, 40)}`;
}

/** Derived store keys remembered, so a busy key costs one hash per request, not two. */
const STORE_KEY_MEMO_SIZE = 10_000;

/**
 * Per-key fixed windows of one minute in a `RateLimitStore` (Redis: shared by every instance).
 * When the store fails (Redis down), requests are counted in process until it answers again:
 * limits then hold per instance rather than not at all, and the API keeps answering.
 */
export class ApiKeyRateLimiter {
  private readonly logger = new Logger('KeycardApiKeys');
  private readonly storeKeys = new BoundedCache<string, string>(STORE_KEY_MEMO_SIZE);
  private fallback?: MemoryRateLimitStore;
  private storeDown = false;
  /**
   * The store, when it counts in this process on this limiter's clock: then `hitNow` can count
   * without a promise, at a time the caller read from that clock.
   */
  private readonly inProcess?: MemoryRateLimitStore;

  constructor(
    private readonly store: RateLimitStore,
    readonly defaultPerMinute = DEFAULT_API_KEY_RATE_LIMIT,
    private readonly clock: Clock = new SystemClock(),
  ) {
    if (!Number.isInteger(defaultPerMinute) || defaultPerMinute < 1)
      throw new Error('ApiKeyRateLimiter: defaultPerMinute must be a whole number ≥ 1');
    if (store instanceof MemoryRateLimitStore && store.clock === clock) this.inProcess = store;
  }

  /** Counts one request of the key with hash `keyHash` against `limit` (default: the default). */
  hit(keyHash: string, limit = this.defaultPerMinute): Promise<RateLimitState> {
    const key = this.storeKey(keyHash);
    const state = (result: RateLimitResult): RateLimitState => ({
      limit,
      count: result.count,
      resetSeconds: result.retryAfterSeconds,
    });
    return this.store.hit(key, limit, API_KEY_RATE_WINDOW_SECONDS).then(
      (result) => {
        if (this.storeDown) this.storeRecovered();
        return state(result);
      },
      (error: unknown) => this.countLocally(key, limit, error).then(state),
    );
  }

  /**
   * `hit` answered at once, when the store counts in process on this limiter's clock: the state,
   * or undefined (nothing counted) when the count needs `hit`. `ownLimit`: the key's own limit,
   * when known (else the default). `now`: that clock's time, read by the caller.
   */
  hitNow(keyHash: string, ownLimit: number | undefined, now: number): RateLimitState | undefined {
    const store = this.inProcess;
    if (store === undefined) return undefined;
    const limit = ownLimit ?? this.defaultPerMinute;
    const result = store.hitNow(this.storeKey(keyHash), limit, API_KEY_RATE_WINDOW_SECONDS, now);
    return { limit, count: result.count, resetSeconds: result.retryAfterSeconds };
  }

  private storeKey(keyHash: string): string {
    let key = this.storeKeys.get(keyHash);
    if (key === undefined) {
      key = storeKeyOf(keyHash);
      this.storeKeys.set(keyHash, key);
    }
    return key;
  }

  private storeRecovered(): void {
    this.storeDown = false;
    this.logger.log('API key rate-limit store answers again');
  }

  private countLocally(key: string, limit: number, error: unknown): Promise<RateLimitResult> {
    if (!this.storeDown) {
      this.storeDown = true;
      const why = error instanceof Error ? error.message : String(error);
      this.logger.error(`API key rate-limit store failed (${why}); counting per instance`);
    }
    this.fallback ??= new MemoryRateLimitStore(this.clock);
    return this.fallback.hit(key, limit, API_KEY_RATE_WINDOW_SECONDS);
  }
}
