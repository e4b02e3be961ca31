import type { RateLimitResult, RedisClient } from '@keycard/common';
import {
  ErrorCode,
  KeycardError,
  ManualClock,
  MemoryRateLimitStore,
  RateLimitStore,
  RedisRateLimitStore,
} from '@keycard/common';
import { testRedisUrl } from '@keycard/testing';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import type { ReleaseAttempt } from './api-key-failure-limiter';
import { ApiKeyFailureLimiter } from './api-key-failure-limiter';

/** The outcome of `reserve`: its release, or the error code and Retry-After it threw. */
async function attempt(
  limiter: ApiKeyFailureLimiter,
  ip: string,
): Promise<ReleaseAttempt | { code: ErrorCode; retryAfter?: string }> {
  try {
    return await limiter.reserve(ip);
  } catch (error) {
    if (!(error instanceof KeycardError)) throw error;
    return { code: error.code, retryAfter: error.headers['Retry-After'] };
  }
}

/** Reserves `count` attempts for `ip` that all fail (never released). */
async function fail(limiter: ApiKeyFailureLimiter, ip: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect(typeof (await attempt(limiter, ip))).toBe('function');
}

/** A memory store that fails while `down`. */
class FlakyStore extends RateLimitStore {
  down = false;
  constructor(private readonly inner: MemoryRateLimitStore) {
    super();
  }
  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    if (this.down) throw new Error('ECONNREFUSED');
    return this.inner.hit(key, limit, windowSeconds);
  }
  async release(key: string): Promise<void> {
    if (this.down) throw new Error('ECONNREFUSED');
    await this.inner.release(key);
  }
  async reset(key: string): Promise<void> {
    await this.inner.reset(key);
  }
}

describe('ApiKeyFailureLimiter', () => {
  let clock: ManualClock;
  let limiter: ApiKeyFailureLimiter;

  beforeEach(() => {
    clock = new ManualClock(Date.UTC(2026, 11, 5, 12));
    limiter = new ApiKeyFailureLimiter(new MemoryRateLimitStore(clock), 3, clock);
  });

  it('refuses an IP with 429 and Retry-After once its failures are spent, until the window ends', async () => {
    await fail(limiter, '203.0.113.7', 3);
    clock.advance(15_000);
    expect(await attempt(limiter, '203.0.113.7')).toEqual({
      code: ErrorCode.RateLimited,
      retryAfter: '45',
    });
    clock.advance(45_000);
    expect(typeof (await attempt(limiter, '203.0.113.7'))).toBe('function');
  });

  it('counts only attempts that are not handed back (good keys, checks that could not run)', async () => {
    for (let i = 0; i < 10; i++) {
      const release = await limiter.reserve('203.0.113.7');
      release();
    }
    await fail(limiter, '203.0.113.7', 3);
    expect(await attempt(limiter, '203.0.113.7')).toMatchObject({ code: ErrorCode.RateLimited });
  });

  it('does not count refused attempts: the IP is free again as soon as its window ends', async () => {
    await fail(limiter, '203.0.113.7', 3);
    for (let i = 0; i < 20; i++)
      expect(await attempt(limiter, '203.0.113.7')).toMatchObject({ code: ErrorCode.RateLimited });
    clock.advance(60_000);
    await fail(limiter, '203.0.113.7', 3);
  });

  it('keeps addresses apart, but counts an IPv6 /64 (and a mapped IPv4 address) as one', async () => {
    await fail(limiter, '203.0.113.7', 3);
    await fail(limiter, '203.0.113.8', 3);
    await fail(limiter, '2001:db8:1:2::1', 2);
    await fail(limiter, '2001:db8:1:2:ffff::9', 1);
    for (const ip of ['203.0.113.7', '::ffff:203.0.113.8', '2001:db8:1:2::77'])
      expect(await attempt(limiter, ip)).toMatchObject({ code: ErrorCode.RateLimited });
    await fail(limiter, '2001:db8:1:3::1', 1);
  });

  it('lets exactly the limit through when the guesses arrive together', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, () => attempt(limiter, '198.51.100.1')),
    );
    expect(outcomes.filter((outcome) => typeof outcome === 'function')).toHaveLength(3);
  });

  it('counts per instance while the shared store is down', async () => {
    const store = new FlakyStore(new MemoryRateLimitStore(clock));
    const flaky = new ApiKeyFailureLimiter(store, 2, clock);
    store.down = true;
    const release = await flaky.reserve('203.0.113.7');
    release(); // handed back to the fallback, where it was counted
    await fail(flaky, '203.0.113.7', 2);
    expect(await attempt(flaky, '203.0.113.7')).toMatchObject({ code: ErrorCode.RateLimited });
    store.down = false;
    await fail(flaky, '203.0.113.7', 2); // the shared store had counted nothing
  });

  it('refuses a limit below 1', () => {
    expect(() => new ApiKeyFailureLimiter(new MemoryRateLimitStore(clock), 0)).toThrow(/perMinute/);
  });
});

const redisUrl = testRedisUrl();

// Skipped without TEST_REDIS_URL (`npm test` needs no server): two limiters sharing one real Redis
// is the point of this suite, and no fake of Redis stands in for it. CI sets the URL, so it runs there.

(redisUrl ? describe : describe.skip)('ApiKeyFailureLimiter on Redis (two instances)', () => {
  const prefix = `keycard-test:${randomBytes(6).toString('hex')}:`;
  let client: RedisClient;

  beforeAll(async () => {
    client = createClient({ url: redisUrl });
    await client.connect();
  });

  afterAll(async () => {
    if (!client) return;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
    await client.close();
  });

  it("shares an IP's failures across instances, exactly under concurrency", async () => {
    const store = new RedisRateLimitStore(client, prefix);
    const [a, b] = [new ApiKeyFailureLimiter(store, 5), new ApiKeyFailureLimiter(store, 5)];
    await fail(a, '203.0.113.50', 3);
    await fail(b, '203.0.113.50', 2);
    expect(await attempt(a, '203.0.113.50')).toMatchObject({ code: ErrorCode.RateLimited });
    expect(await attempt(b, '203.0.113.50')).toMatchObject({ code: ErrorCode.RateLimited });
    const together = await Promise.all(
      Array.from({ length: 20 }, (_, i) => attempt(i % 2 ? a : b, '203.0.113.51')),
    );
    expect(together.filter((outcome) => typeof outcome === 'function')).toHaveLength(5);
    await fail(a, '203.0.113.52', 5); // another address has its own budget
  });
});
