import { usageBound, USAGE_CLOCK_SKEW_MS } from './api-key-usage-bound';

const DAY = '2026-06-01';
const MIDNIGHT = Date.UTC(2026, 5, 1);
const MINUTE = 60_000;
const SKEW_MINUTES = USAGE_CLOCK_SKEW_MS / MINUTE;

describe('usageBound', () => {
  const oldKey = { createdAt: MIDNIGHT - 30 * 86_400_000, rateLimit: 10 };

  it.each([
    ['a whole past day', oldKey, DAY, MIDNIGHT + 2 * 86_400_000, (1440 + 1) * 10],
    [
      'today so far (plus the skew)',
      oldKey,
      DAY,
      MIDNIGHT + 60 * MINUTE,
      (60 + SKEW_MINUTES + 1) * 10,
    ],
    [
      'the day the key was made, from its creation (less the skew)',
      { createdAt: MIDNIGHT + 1380 * MINUTE, rateLimit: 10 },
      DAY,
      MIDNIGHT + 2 * 86_400_000,
      (60 + SKEW_MINUTES + 1) * 10,
    ],
    [
      'the service default for a key without its own limit',
      { ...oldKey, rateLimit: null },
      DAY,
      MIDNIGHT + MINUTE,
      (1 + SKEW_MINUTES + 1) * 600,
    ],
    [
      'a day before the key existed (beyond the skew)',
      { createdAt: MIDNIGHT + 86_400_000 + USAGE_CLOCK_SKEW_MS, rateLimit: 10 },
      DAY,
      MIDNIGHT + 3 * 86_400_000,
      0,
    ],
    ['a day still in the future', oldKey, '2026-06-02', MIDNIGHT + 60 * MINUTE, 0],
    [
      'tomorrow within the clock skew',
      oldKey,
      '2026-06-02',
      MIDNIGHT + 86_400_000 - MINUTE,
      (SKEW_MINUTES - 1 + 1) * 10,
    ],
    [
      'the largest limit over a whole day, still a 32-bit integer',
      { ...oldKey, rateLimit: 100_000 },
      DAY,
      MIDNIGHT + 2 * 86_400_000,
      1441 * 100_000,
    ],
  ])('bounds %s', (_case, key, day, now, bound) => {
    expect(usageBound(key, day, now, 600)).toBe(bound);
    expect(bound).toBeLessThan(2 ** 31);
  });
});
