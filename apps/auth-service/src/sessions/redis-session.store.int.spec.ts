import { randomBytes, randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { ManualClock } from '@keycard/common';
import { testRedisUrl } from '@keycard/testing';
import type { RedisClient } from '../redis/redis.client';
import { RedisSessionStore } from './redis-session.store';
import { describeSessionStoreContract } from './session-store.contract';

const redisUrl = testRedisUrl();
const MINUTE = 60_000;

// Needs a real Redis: runs when TEST_REDIS_URL is set (CI sets it) and is skipped, not failed, on
// a fresh clone with no Redis server. Keys carry a per-run prefix and are deleted afterwards.
(redisUrl ? describe : describe.skip)('RedisSessionStore (real Redis)', () => {
  const prefix = `keycard-test:${randomBytes(6).toString('hex')}:session:`;
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

  describeSessionStoreContract(async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 1));
    return { store: new RedisSessionStore(client, clock, prefix), clock };
  });

  function record(clock: ManualClock, idleMs: number, absoluteMs: number) {
    const now = clock.now();
    return {
      id: randomUUID(),
      tokenHash: randomBytes(32).toString('hex'),
      userId: randomUUID(),
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + idleMs,
      expiresAt: now + absoluteMs,
      userAgent: 'ua',
      ip: '127.0.0.1',
      csrfToken: 'csrf',
    };
  }

  it('lets keys expire at min(idle end, absolute end), and a touch moves that', async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 1));
    const store = new RedisSessionStore(client, clock, prefix);
    const session = record(clock, 30 * MINUTE, 40 * MINUTE);
    await store.create(session);
    const recordKey = `${prefix}t:${session.tokenHash}`;
    const handleKey = `${prefix}h:${session.id}`;
    for (const key of [recordKey, handleKey]) {
      expect(await client.pTTL(key)).toBeGreaterThan(30 * MINUTE - 1000);
      expect(await client.pTTL(key)).toBeLessThanOrEqual(30 * MINUTE);
    }
    expect(await client.pTTL(`${prefix}u:${session.userId}`)).toBeGreaterThan(39 * MINUTE);
    clock.advance(20 * MINUTE);
    await store.touch(session.id, clock.now(), clock.now() + 30 * MINUTE);
    // Idle end moved to 50 min, but the absolute end (40 min) is only 20 min away now.
    expect(await client.pTTL(recordKey)).toBeLessThanOrEqual(20 * MINUTE);
    expect(await client.pTTL(recordKey)).toBeGreaterThan(19 * MINUTE);
  });

  it('never stores the cookie value, only its hash', async () => {
    const clock = new ManualClock();
    const store = new RedisSessionStore(client, clock, prefix);
    const session = record(clock, MINUTE, 2 * MINUTE);
    await store.create(session);
    const stored = await client.hGetAll(`${prefix}t:${session.tokenHash}`);
    expect(Object.keys(stored).sort()).toEqual(Object.keys(session).sort());
  });

  it('works again after Redis forgot its scripts (restart, SCRIPT FLUSH)', async () => {
    const clock = new ManualClock();
    const store = new RedisSessionStore(client, clock, prefix);
    const session = record(clock, MINUTE, 2 * MINUTE);
    await store.create(session);
    await client.scriptFlush();
    expect(await store.listByUser(session.userId)).toEqual([session]);
    expect(await store.destroy(session.id, session.userId)).toBe(true);
  });
});
