import { ManualClock } from '../clock';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { describeRateLimitStoreContract } from './rate-limit-store.contract';

describe('MemoryRateLimitStore', () => {
  describeRateLimitStoreContract(async () => {
    const clock = new ManualClock();
    return {
      store: new MemoryRateLimitStore(clock),
      endWindow: async (_key, windowSeconds) => clock.advance(windowSeconds * 1000),
    };
  });

  it('reports the time left in the window, rounded up to whole seconds', async () => {
    const clock = new ManualClock();
    const store = new MemoryRateLimitStore(clock);
    await store.hit('k', 1, 60);
    clock.advance(30_500);
    expect(await store.hit('k', 1, 60)).toEqual({
      allowed: false,
      count: 2,
      retryAfterSeconds: 30,
    });
    clock.advance(29_499);
    expect((await store.hit('k', 1, 60)).retryAfterSeconds).toBe(1);
    clock.advance(1);
    expect(await store.hit('k', 1, 60)).toEqual({ allowed: true, count: 1, retryAfterSeconds: 60 });
  });

  it('stays bounded: expired windows are swept out of memory', async () => {
    const clock = new ManualClock();
    const store = new MemoryRateLimitStore(clock);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => store.hit(`ip:${i}`, 5, 10)));
    expect(store.size).toBe(1000);
    clock.advance(61_000); // past every window and past the sweep interval
    await store.hit('someone-else', 5, 10);
    expect(store.size).toBe(1);
  });

  it('keeps windows that are still running when it sweeps', async () => {
    const clock = new ManualClock();
    const store = new MemoryRateLimitStore(clock);
    await store.hit('short', 5, 1);
    await store.hit('long', 5, 3600);
    clock.advance(61_000);
    await store.hit('other', 5, 1);
    expect(store.size).toBe(2);
    expect(await store.hit('long', 5, 3600)).toMatchObject({ count: 2 });
  });
});
