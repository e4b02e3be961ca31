import type { Clock } from '../clock';
import type { RateLimitResult } from './rate-limit.store';
import { RateLimitStore, secondsLeft } from './rate-limit.store';

interface Window {
  count: number;
  endsAt: number;
}

/** How often (clock time) expired windows are swept out of memory. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The in-process store for a single instance (no `REDIS_URL`). Each `hit` runs synchronously
 * between awaits, so counting is atomic within the process. Memory stays bounded by the number of
 * keys seen within one window: expired windows are swept at most once a minute, on a hit.
 */
export class MemoryRateLimitStore extends RateLimitStore {
  private readonly windows = new Map<string, Window>();
  private nextSweepAt: number;

  constructor(readonly clock: Clock) {
    super();
    this.nextSweepAt = clock.now() + SWEEP_INTERVAL_MS;
  }

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    return this.hitNow(key, limit, windowSeconds);
  }

  /**
   * `hit` without a promise, for callers on a hot path that can use an answer at once; `now` (this
   * store's clock's time, read by the caller once for several steps) saves a clock read.
   */
  hitNow(
    key: string,
    limit: number,
    windowSeconds: number,
    now: number = this.clock.now(),
  ): RateLimitResult {
    this.sweepIfDue(now);
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return {
      allowed: window.count <= limit,
      count: window.count,
      retryAfterSeconds: secondsLeft(window.endsAt - now),
    };
  }

  async release(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.endsAt > this.clock.now() && window.count > 0) window.count -= 1;
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  /** Number of windows held in memory (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  private sweepIfDue(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_INTERVAL_MS;
    for (const [key, window] of this.windows) {
      if (window.endsAt <= now) this.windows.delete(key);
    }
  }
}
