import type { RateLimitResult } from '@keycard/common';
import {
  ErrorCode,
  generateApiKey,
  hashApiKey,
  ManualClock,
  MemoryRateLimitStore,
  RateLimitStore,
} from '@keycard/common';
import { ApiKeyRateLimiter, apiKeyRateLimited, rateLimitHeaders } from './api-key-rate-limiter';

/** Records the keys it is asked about; fails while `down`. */
class RecordingStore extends RateLimitStore {
  readonly keys: string[] = [];
  down = false;
  private readonly inner = new MemoryRateLimitStore(new ManualClock());

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    this.keys.push(key);
    if (this.down) throw new Error('ECONNREFUSED');
    return this.inner.hit(key, limit, windowSeconds);
  }

  async release(key: string): Promise<void> {
    await this.inner.release(key);
  }

  async reset(key: string): Promise<void> {
    await this.inner.reset(key);
  }
}

describe('ApiKeyRateLimiter', () => {
  const key = generateApiKey('sk', 'live').key;
  const keyHash = hashApiKey(key);

  it('counts in one-minute fixed windows, against the given limit or the default', async () => {
    const clock = new ManualClock();
    const limiter = new ApiKeyRateLimiter(new MemoryRateLimitStore(clock), 600, clock);
    expect(await limiter.hit(keyHash)).toEqual({ limit: 600, count: 1, resetSeconds: 60 });
    clock.advance(20_000);
    expect(await limiter.hit(keyHash, 10)).toEqual({ limit: 10, count: 2, resetSeconds: 40 });
    clock.advance(40_000);
    expect(await limiter.hit(keyHash, 10)).toMatchObject({ count: 1, resetSeconds: 60 });
  });

  it('stores counters under a key derived from the hash: never the key, never the hash itself', async () => {
    const store = new RecordingStore();
    await new ApiKeyRateLimiter(store).hit(keyHash);
    const [stored] = store.keys;
    expect(stored).toMatch(/^apikey:[0-9a-f]{40}$/);
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(keyHash);
    expect(keyHash).not.toContain(stored.slice('apikey:'.length));
  });

  it('counts per instance while the shared store is down, and goes back to it afterwards', async () => {
    const store = new RecordingStore();
    const limiter = new ApiKeyRateLimiter(store, 2);
    store.down = true;
    expect((await limiter.hit(keyHash)).count).toBe(1);
    expect((await limiter.hit(keyHash)).count).toBe(2);
    expect((await limiter.hit(keyHash)).count).toBe(3);
    store.down = false;
    expect((await limiter.hit(keyHash)).count).toBe(1); // the shared store's own count
  });

  it('answers at once from an in-process store, sharing its windows with hit()', async () => {
    const clock = new ManualClock();
    const limiter = new ApiKeyRateLimiter(new MemoryRateLimitStore(clock), 600, clock);
    expect(limiter.hitNow(keyHash, 5, clock.now())).toEqual({
      limit: 5,
      count: 1,
      resetSeconds: 60,
    });
    expect((await limiter.hit(keyHash, 5)).count).toBe(2);
    expect(limiter.hitNow(keyHash, undefined, clock.now())).toEqual({
      limit: 600,
      count: 3,
      resetSeconds: 60,
    });
  });

  it('times a window by the caller-read now only when the store keeps the same clock', async () => {
    const clock = new ManualClock();
    const shared = new ApiKeyRateLimiter(new MemoryRateLimitStore(clock), 600, clock);
    expect(shared.hitNow(keyHash, 5, clock.now())).toMatchObject({ count: 1, resetSeconds: 60 });
    // A time past the window (as a clock read a minute later would give) starts a new one.
    expect(shared.hitNow(keyHash, 5, clock.now() + 60_000)).toMatchObject({ count: 1 });
    const storeClock = new ManualClock();
    const own = new ApiKeyRateLimiter(new MemoryRateLimitStore(storeClock), 600, clock);
    // Another clock's store keeps its own time: a now read from this clock is never used on it,
    // so nothing is counted at once and the count goes through hit() on the store's time.
    expect(own.hitNow(keyHash, 5, clock.now())).toBeUndefined();
    expect(await own.hit(keyHash, 5)).toMatchObject({ count: 1 });
    clock.advance(60_000);
    expect(await own.hit(keyHash, 5)).toMatchObject({ count: 2 });
  });

  it('leaves a shared store to hit(), counting nothing', async () => {
    const store = new RecordingStore();
    const limiter = new ApiKeyRateLimiter(store);
    expect(limiter.hitNow(keyHash, undefined, Date.now())).toBeUndefined();
    expect((await limiter.hit(keyHash)).count).toBe(1);
  });

  it('refuses a default that is not a whole number of at least 1', () => {
    expect(() => new ApiKeyRateLimiter(new RecordingStore(), 0)).toThrow(/defaultPerMinute/);
    expect(() => new ApiKeyRateLimiter(new RecordingStore(), 1.5)).toThrow(/defaultPerMinute/);
  });

  it('describes a window with the RateLimit-* fields (never a negative remainder)', () => {
    expect(rateLimitHeaders({ limit: 10, count: 3, resetSeconds: 42 })).toEqual({
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '7',
      'RateLimit-Reset': '42',
    });
    expect(rateLimitHeaders({ limit: 10, count: 12, resetSeconds: 1 })['RateLimit-Remaining']).toBe(
      '0',
    );
  });

  it('refuses over the limit with 429, Retry-After and the RateLimit-* fields', () => {
    const error = apiKeyRateLimited({ limit: 10, count: 11, resetSeconds: 17 });
    expect(error.code).toBe(ErrorCode.RateLimited);
    expect(error.status).toBe(429);
    expect(error.headers).toEqual({
      'Retry-After': '17',
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '17',
    });
    expect(error.details).toEqual({ retryAfter: 17 });
  });
});
