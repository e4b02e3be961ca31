import { Injectable } from '@nestjs/common';
import { RateLimitStore } from '@keycard/common';

/**
 * Decides which refused (429) requests are worth an audit row. A limiter that refuses a flood
 * must not write one row per refused request (that is a way to fill the database), so only the
 * first refusal of a window is recorded; the rest are counted by `keycard_rate_limited_total`.
 * The windows are kept in the shared `RateLimitStore`, so several instances write one row between
 * them and nothing is held in memory here.
 */
@Injectable()
export class RefusalWindows {
  constructor(private readonly store: RateLimitStore) {}

  /**
   * Counts one refusal on each of `keys` and says whether it opens a new window of
   * `windowSeconds` on every one of them. With two keys (an address and an account), neither an
   * address trying many accounts nor many addresses trying one account writes more than a row.
   */
  async opensWindow(keys: readonly string[], windowSeconds: number): Promise<boolean> {
    const window = Math.max(1, Math.ceil(windowSeconds));
    const results = await Promise.all(
      keys.map((key) => this.store.hit(`refused:${key}`, 1, window)),
    );
    return results.every((result) => result.allowed);
  }
}
