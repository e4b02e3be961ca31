/** The outcome of counting one hit against a fixed-window limit. */
export interface RateLimitResult {
  /** True while this hit is within the limit. */
  allowed: boolean;
  /** Hits counted in the current window, this one included. */
  count: number;
  /** Whole seconds (at least 1) until the current window ends and the count starts again. */
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters shared by every rate limit of the service. An abstract class rather than
 * an interface so that it doubles as its own injection token (the same pattern as `Clock`).
 * Implementations must count atomically: of N concurrent hits against a limit L, exactly
 * min(N, L) are allowed, also across instances sharing the store.
 */
export abstract class RateLimitStore {
  /** Counts one hit on `key`; the first hit of a window starts a window of `windowSeconds`. */
  abstract hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult>;

  /** Gives one hit back to `key`'s current window (never below zero; nothing when no window). */
  abstract release(key: string): Promise<void>;

  /** Forgets `key`'s window, so its next hit starts from zero. */
  abstract reset(key: string): Promise<void>;
}

/** Whole seconds left of a window, at least 1 (what a `Retry-After` header carries). */
export function secondsLeft(remainingMs: number): number {
  return Math.max(1, Math.ceil(remainingMs / 1000));
}
