import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import type { RateLimitResult, RedisClient } from '@keycard/common';
import {
  DependencyTimeoutError,
  ErrorCode,
  KeycardError,
  ManualClock,
  MemoryRateLimitStore,
  RateLimitStore,
  RedisRateLimitStore,
} from '@keycard/common';
import { rejection, testRedisUrl } from '@keycard/testing';
import { testMetrics } from '../testing/test-recorders';
import { LoginThrottleService } from './login-throttle.service';

const LOCKOUT_SECONDS = 900;

function setup(limits: { perAccount?: number; perIp?: number } = {}) {
  const clock = new ManualClock();
  const store = new MemoryRateLimitStore(clock);
  const throttle = new LoginThrottleService(
    store,
    {
      loginMaxFailures: limits.perAccount ?? 5,
      loginMaxFailuresPerIp: limits.perIp ?? 50,
      loginLockout: LOCKOUT_SECONDS,
    },
    testMetrics(),
  );
  return { clock, store, throttle };
}

describe('LoginThrottleService', () => {
  it('lets at most the limit of 20 parallel wrong attempts reach the password check', async () => {
    const { throttle } = setup({ perAccount: 5 });
    let passwordChecks = 0;
    const attempt = async () => {
      await throttle.beginAttempt('victim@example.com', '203.0.113.7');
      passwordChecks += 1; // a wrong password: no recordSuccess
    };
    const results = await Promise.allSettled(Array.from({ length: 20 }, attempt));
    expect(passwordChecks).toBe(5);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(15);
    for (const { reason } of refused)
      expect((reason as KeycardError).code).toBe(ErrorCode.RateLimited);
  });

  it('answers 429 with Retry-After and a generic message once an account is locked', async () => {
    const { throttle, clock } = setup({ perAccount: 2 });
    await throttle.beginAttempt('a@example.com', '1.1.1.1');
    await throttle.beginAttempt('a@example.com', '1.1.1.2');
    clock.advance(100_000);
    const error = await rejection(throttle.beginAttempt('a@example.com', '1.1.1.3'));
    expect(error.status).toBe(429);
    expect(error.publicMessage).toBe('Too many failed login attempts');
    expect(error.headers['Retry-After']).toBe(String(LOCKOUT_SECONDS - 100));
    expect(JSON.stringify(error)).not.toContain('a@example.com');
  });

  it('unlocks the account when the lockout window is over', async () => {
    const { throttle, clock } = setup({ perAccount: 1 });
    await throttle.beginAttempt('a@example.com', '1.1.1.1');
    await expect(throttle.beginAttempt('a@example.com', '1.1.1.1')).rejects.toBeInstanceOf(
      KeycardError,
    );
    clock.advance(LOCKOUT_SECONDS * 1000);
    await expect(throttle.beginAttempt('a@example.com', '1.1.1.1')).resolves.toBeUndefined();
  });

  it('counts an account the same whatever the case or spacing of its email', async () => {
    const { throttle } = setup({ perAccount: 2 });
    await throttle.beginAttempt('Alice@Example.com', '1.1.1.1');
    await throttle.beginAttempt(' alice@example.com ', '1.1.1.2');
    await expect(throttle.beginAttempt('ALICE@EXAMPLE.COM', '1.1.1.3')).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
    });
  });

  it('clears the account counter on success and gives the IP its attempt back: only failures count', async () => {
    const { throttle } = setup({ perAccount: 3, perIp: 4 });
    for (let i = 0; i < 2; i++) await throttle.beginAttempt('a@example.com', '9.9.9.9'); // two failures
    await throttle.beginAttempt('a@example.com', '9.9.9.9');
    await throttle.recordSuccess('a@example.com', '9.9.9.9'); // a success: not a failure
    // The address has two failures on record, so two more attempts are allowed…
    await throttle.beginAttempt('b@example.com', '9.9.9.9');
    await throttle.beginAttempt('c@example.com', '9.9.9.9');
    // …and the fifth failure from it is refused.
    await expect(throttle.beginAttempt('d@example.com', '9.9.9.9')).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
    });
  });

  it('never locks out an address by its successful sign-ins', async () => {
    const { throttle } = setup({ perAccount: 3, perIp: 2 });
    for (let i = 0; i < 10; i++) {
      await throttle.beginAttempt('a@example.com', '9.9.9.9');
      await throttle.recordSuccess('a@example.com', '9.9.9.9');
    }
    await expect(throttle.beginAttempt('a@example.com', '9.9.9.9')).resolves.toBeUndefined();
  });

  it('limits one address that tries many accounts', async () => {
    const { throttle } = setup({ perAccount: 5, perIp: 3 });
    for (let i = 0; i < 3; i++) await throttle.beginAttempt(`user${i}@example.com`, '198.51.100.1');
    await expect(throttle.beginAttempt('user9@example.com', '198.51.100.1')).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
    });
    await expect(
      throttle.beginAttempt('user9@example.com', '198.51.100.2'),
    ).resolves.toBeUndefined();
  });

  it('counts a whole IPv6 /64 as one address', async () => {
    const { throttle } = setup({ perAccount: 50, perIp: 2 });
    await throttle.beginAttempt('a@example.com', '2001:db8:1:2::1');
    await throttle.beginAttempt('b@example.com', '2001:db8:1:2:ffff::9');
    await expect(
      throttle.beginAttempt('c@example.com', '2001:db8:1:2:abcd::1'),
    ).rejects.toMatchObject({
      code: ErrorCode.RateLimited,
    });
    await expect(
      throttle.beginAttempt('c@example.com', '2001:db8:1:3::1'),
    ).resolves.toBeUndefined();
  });

  it('does not run up an account counter from an address that is already blocked', async () => {
    const { throttle } = setup({ perAccount: 2, perIp: 1 });
    await throttle.beginAttempt('other@example.com', '6.6.6.6');
    for (let i = 0; i < 5; i++) {
      await expect(throttle.beginAttempt('victim@example.com', '6.6.6.6')).rejects.toBeInstanceOf(
        KeycardError,
      );
    }
    await expect(throttle.beginAttempt('victim@example.com', '7.7.7.7')).resolves.toBeUndefined();
  });
});

/** One `RateLimitStore` for the tests below, with a way to read a counter without moving it. */
interface StoreUnderTest {
  store: RateLimitStore;
  countOf(key: string): Promise<number>;
  close(): Promise<void>;
}

const memoryStore = async (): Promise<StoreUnderTest> => {
  const store = new MemoryRateLimitStore(new ManualClock());
  return {
    store,
    async countOf(key) {
      const { count } = await store.hit(key, Number.MAX_SAFE_INTEGER, LOCKOUT_SECONDS);
      await store.release(key);
      return count - 1;
    },
    close: async () => undefined,
  };
};

const redisStore = async (): Promise<StoreUnderTest> => {
  const client: RedisClient = createClient({ url: testRedisUrl() });
  await client.connect();
  const prefix = `keycard-test:${randomBytes(6).toString('hex')}:`;
  return {
    store: new RedisRateLimitStore(client, prefix),
    countOf: async (key) => Number((await client.get(prefix + key)) ?? 0),
    async close() {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*` }))
        if (keys.length > 0) await client.del(keys);
      await client.close();
    },
  };
};

/** A store whose hits run but answer with a timeout, as a paused Redis does. */
class TimingOutStore extends RateLimitStore {
  constructor(private readonly inner: RateLimitStore) {
    super();
  }

  override async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    await this.inner.hit(key, limit, windowSeconds);
    throw new DependencyTimeoutError('redis', 1000);
  }

  override release(key: string): Promise<void> {
    return this.inner.release(key);
  }

  override reset(key: string): Promise<void> {
    return this.inner.reset(key);
  }
}

const STORES: [string, () => Promise<StoreUnderTest>][] = [['memory', memoryStore]];
if (testRedisUrl()) STORES.push(['Redis', redisStore]);

// Issue 14, finding 13: only a failed password check counts against a login limit.
describe.each(STORES)(
  'LoginThrottleService on the %s store: only failed passwords count',
  (_name, open) => {
    let under: StoreUnderTest;
    beforeEach(async () => {
      under = await open();
    });
    afterEach(() => under.close());

    function throttleOn(store: RateLimitStore, limits: { perAccount: number; perIp: number }) {
      return new LoginThrottleService(
        store,
        {
          loginMaxFailures: limits.perAccount,
          loginMaxFailuresPerIp: limits.perIp,
          loginLockout: LOCKOUT_SECONDS,
        },
        testMetrics(),
      );
    }

    const ipCounter = (ip: string) => under.countOf(`login:ip:${ip}`);

    it('does not count refused (429) attempts against the address', async () => {
      const throttle = throttleOn(under.store, { perAccount: 50, perIp: 3 });
      for (let i = 0; i < 3; i++) await throttle.beginAttempt(`user${i}@example.com`, '192.0.2.1');
      for (let i = 0; i < 20; i++) {
        await expect(throttle.beginAttempt('x@example.com', '192.0.2.1')).rejects.toMatchObject({
          code: ErrorCode.RateLimited,
        });
      }
      expect(await ipCounter('192.0.2.1')).toBe(3);
    });

    it('does not count attempts on a locked account against the address', async () => {
      const throttle = throttleOn(under.store, { perAccount: 2, perIp: 5 });
      for (let i = 0; i < 2; i++) await throttle.beginAttempt('locked@example.com', '192.0.2.2');
      for (let i = 0; i < 10; i++) {
        await expect(
          throttle.beginAttempt('locked@example.com', '192.0.2.2'),
        ).rejects.toMatchObject({ code: ErrorCode.RateLimited });
      }
      expect(await ipCounter('192.0.2.2')).toBe(2);
      await expect(
        throttle.beginAttempt('other@example.com', '192.0.2.2'),
      ).resolves.toBeUndefined();
    });

    it('gives both reservations back when the attempt fails for another reason (abandon)', async () => {
      const throttle = throttleOn(under.store, { perAccount: 2, perIp: 2 });
      for (let i = 0; i < 10; i++) {
        await throttle.beginAttempt('a@example.com', '192.0.2.3');
        await throttle.abandon('a@example.com', '192.0.2.3');
      }
      expect(await ipCounter('192.0.2.3')).toBe(0);
      await throttle.beginAttempt('a@example.com', '192.0.2.3');
      await throttle.beginAttempt('a@example.com', '192.0.2.3');
      await expect(throttle.beginAttempt('a@example.com', '192.0.2.3')).rejects.toMatchObject({
        code: ErrorCode.RateLimited,
      });
    });

    it('gives a hit back when the store answers too late (it may still have counted it)', async () => {
      const throttle = throttleOn(new TimingOutStore(under.store), { perAccount: 2, perIp: 2 });
      for (let i = 0; i < 10; i++) {
        await expect(throttle.beginAttempt('a@example.com', '192.0.2.4')).rejects.toBeInstanceOf(
          DependencyTimeoutError,
        );
      }
      await new Promise((resolve) => setImmediate(resolve)); // the give-backs are not awaited
      expect(await ipCounter('192.0.2.4')).toBe(0);
      const healthy = throttleOn(under.store, { perAccount: 2, perIp: 2 });
      await expect(healthy.beginAttempt('a@example.com', '192.0.2.4')).resolves.toBeUndefined();
    });
  },
);
