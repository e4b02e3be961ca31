import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { testRedisUrl } from '@keycard/testing';
import type { RedisClient } from '../redis';
import { describeRateLimitStoreContract } from './rate-limit-store.contract';
import { RedisRateLimitStore } from './redis-rate-limit.store';

const redisUrl = testRedisUrl();

// Needs a real Redis: runs when TEST_REDIS_URL is set (CI), and is skipped, not failed, on a fresh
// clone with no server. No test here waits for time to pass: a window's end is simulated by
// expiring the key through Redis itself (PEXPIRE 0), and the TTL the script sets is read with PTTL.
(redisUrl ? describe : describe.skip)('RedisRateLimitStore (real Redis)', () => {
  const prefix = `keycard-test:${randomBytes(6).toString('hex')}:`; // unique per run
  let client: RedisClient;
  let store: RedisRateLimitStore;

  beforeAll(async () => {
    client = createClient({ url: redisUrl });
    await client.connect();
    store = new RedisRateLimitStore(client, prefix);
  });

  afterAll(async () => {
    if (!client) return;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
    await client.close();
  });

  describeRateLimitStoreContract(async () => ({
    store,
    endWindow: async (key) => {
      await client.pExpire(prefix + key, 0); // a non-positive TTL expires the key at once
    },
  }));

  it('sets the window on the first hit, in milliseconds, as one expiry', async () => {
    await store.hit('ttl', 5, 60);
    const ttl = await client.pTTL(`${prefix}ttl`);
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await store.hit('ttl', 5, 600);
    expect(await client.pTTL(`${prefix}ttl`)).toBeLessThanOrEqual(60_000);
  });

  it('gives a counter that has lost its expiry a new one instead of locking the key for good', async () => {
    await client.set(`${prefix}no-ttl`, '7');
    expect(await store.hit('no-ttl', 5, 30)).toEqual({
      allowed: false,
      count: 8,
      retryAfterSeconds: 30,
    });
    expect(await client.pTTL(`${prefix}no-ttl`)).toBeGreaterThan(0);
  });

  it('counts across instances: two clients share one limit', async () => {
    const other: RedisClient = createClient({ url: redisUrl });
    await other.connect();
    try {
      const second = new RedisRateLimitStore(other, prefix);
      const hits = Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? store : second).hit('shared', 5, 60),
      );
      const results = await Promise.all(hits);
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
    } finally {
      await other.close();
    }
  });

  it('reloads the script when Redis has forgotten it (restart, SCRIPT FLUSH)', async () => {
    await store.hit('flush', 5, 60);
    await client.scriptFlush();
    expect(await store.hit('flush', 5, 60)).toMatchObject({ allowed: true, count: 2 });
  });
});
