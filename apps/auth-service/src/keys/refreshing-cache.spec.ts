import { ManualClock } from '@keycard/common';
import { RefreshingCache } from './refreshing-cache';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe('RefreshingCache', () => {
  it('loads once, serves the value until it is maxAge old, then reloads', async () => {
    const clock = new ManualClock();
    let loads = 0;
    const cache = new RefreshingCache(async () => ++loads, 1_000, clock);
    expect(await Promise.all([cache.get(), cache.get()])).toEqual([1, 1]);
    clock.advance(999);
    expect(await cache.get()).toBe(1);
    clock.advance(1);
    expect(await cache.get()).toBe(2);
  });

  it('does not keep a result loaded before an invalidate', async () => {
    const clock = new ManualClock();
    const loads = [deferred<string>(), deferred<string>()];
    let call = 0;
    const cache = new RefreshingCache(() => loads[call++].promise, 60_000, clock);
    const stale = cache.get();
    cache.invalidate();
    const fresh = cache.get();
    loads[1].resolve('new');
    loads[0].resolve('old');
    expect(await stale).toBe('old');
    expect(await fresh).toBe('new');
    expect(await cache.get()).toBe('new');
  });

  it('passes a failed load on and tries again next time', async () => {
    const load = jest.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValue('up');
    const cache = new RefreshingCache<string>(load, 1_000, new ManualClock());
    await expect(cache.get()).rejects.toThrow('down');
    await expect(cache.get()).resolves.toBe('up');
  });
});
