import type { RateLimitStore } from './rate-limit.store';

/** One store under test plus the one thing the contract cannot do portably: end a window. */
export interface RateLimitStoreHarness {
  store: RateLimitStore;
  /**
   * Makes `key`'s current window (of `windowSeconds`) be over, as if that much time had passed:
   * the memory store moves its `ManualClock`, the Redis store expires the key through Redis.
   */
  endWindow(key: string, windowSeconds: number): Promise<void>;
}

const WINDOW = 60;

/**
 * The behaviour every `RateLimitStore` must have. Each implementation's spec calls this with a
 * factory that returns a fresh harness; keys are unique per test, so stores may be shared.
 */
export function describeRateLimitStoreContract(
  makeHarness: () => Promise<RateLimitStoreHarness>,
): void {
  describe('RateLimitStore contract', () => {
    let harness: RateLimitStoreHarness;
    let store: RateLimitStore;
    let keyCounter = 0;
    const freshKey = () => `contract:${Date.now()}:${++keyCounter}`;

    beforeEach(async () => {
      harness = await makeHarness();
      store = harness.store;
    });

    it('starts a window on the first hit and says how long it lasts', async () => {
      const result = await store.hit(freshKey(), 3, WINDOW);
      expect(result).toEqual({ allowed: true, count: 1, retryAfterSeconds: WINDOW });
    });

    it('allows exactly `limit` hits in a window, then refuses with the time left', async () => {
      const key = freshKey();
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await store.hit(key, 3, WINDOW));
      expect(results.map((r) => [r.allowed, r.count])).toEqual([
        [true, 1],
        [true, 2],
        [true, 3],
        [false, 4],
        [false, 5],
      ]);
      for (const result of results) {
        expect(result.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(result.retryAfterSeconds).toBeLessThanOrEqual(WINDOW);
      }
    });

    it('release gives one hit back to the current window, never below zero', async () => {
      const key = freshKey();
      await store.hit(key, 2, WINDOW);
      await store.hit(key, 2, WINDOW);
      await store.release(key);
      expect((await store.hit(key, 2, WINDOW)).count).toBe(2);
      await store.release(key);
      await store.release(key);
      await store.release(key);
      expect((await store.hit(key, 2, WINDOW)).count).toBe(1);
      const untouched = freshKey();
      await store.release(untouched);
      expect((await store.hit(untouched, 2, WINDOW)).count).toBe(1);
    });

    it('counts 50 concurrent hits atomically: exactly 5 of them pass a limit of 5', async () => {
      const key = freshKey();
      const results = await Promise.all(
        Array.from({ length: 50 }, () => store.hit(key, 5, WINDOW)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
      expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
    });

    it('keeps keys apart', async () => {
      const [a, b] = [freshKey(), freshKey()];
      await store.hit(a, 1, WINDOW);
      expect((await store.hit(a, 1, WINDOW)).allowed).toBe(false);
      expect(await store.hit(b, 1, WINDOW)).toMatchObject({ allowed: true, count: 1 });
    });

    it('starts counting again once the window is over', async () => {
      const key = freshKey();
      await store.hit(key, 1, WINDOW);
      expect((await store.hit(key, 1, WINDOW)).allowed).toBe(false);
      await harness.endWindow(key, WINDOW);
      expect(await store.hit(key, 1, WINDOW)).toEqual({
        allowed: true,
        count: 1,
        retryAfterSeconds: WINDOW,
      });
    });

    it('does not extend the window on later hits (fixed, not sliding)', async () => {
      const key = freshKey();
      const first = await store.hit(key, 10, WINDOW);
      const later = await store.hit(key, 10, 10 * WINDOW);
      expect(later.retryAfterSeconds).toBeLessThanOrEqual(first.retryAfterSeconds);
    });

    it('forgets a key on reset, and resetting an unknown key is harmless', async () => {
      const key = freshKey();
      await store.hit(key, 1, WINDOW);
      await store.hit(key, 1, WINDOW);
      await store.reset(key);
      expect(await store.hit(key, 1, WINDOW)).toMatchObject({ allowed: true, count: 1 });
      await expect(store.reset(freshKey())).resolves.toBeUndefined();
    });
  });
}
