/** What the usage bound needs to know of a key. */
export interface KeyLife {
  /** Epoch ms. */
  createdAt: number;
  /** Requests a minute; null for the service default. */
  rateLimit: number | null;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** How far a reporter's clock may be off this service's, at either end of a day's period. */
export const USAGE_CLOCK_SKEW_MS = 5 * MINUTE_MS;

/**
 * The most requests a key can have been admitted with on the UTC `day` (`YYYY-MM-DD`) under its
 * rate limit: the limit times the one-minute windows in the part of that day between the key's
 * creation and now (each end widened by `USAGE_CLOCK_SKEW_MS`), plus one window because the
 * limiter's windows do not start on the minute. 0 for a day before the key existed or after now.
 */
export function usageBound(
  key: KeyLife,
  day: string,
  now: number,
  defaultRateLimit: number,
): number {
  const dayStart = Date.parse(`${day}T00:00:00.000Z`);
  if (!Number.isFinite(dayStart)) return 0;
  const from = Math.max(dayStart, key.createdAt - USAGE_CLOCK_SKEW_MS);
  const until = Math.min(dayStart + DAY_MS, now + USAGE_CLOCK_SKEW_MS);
  if (until <= from) return 0;
  const windows = Math.ceil((until - from) / MINUTE_MS) + 1;
  return windows * (key.rateLimit ?? defaultRateLimit);
}
