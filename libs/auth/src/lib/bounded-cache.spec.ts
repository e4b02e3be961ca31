import { BoundedCache } from './bounded-cache';

describe('BoundedCache', () => {
  const filled = (max: number, keys: string[]) => {
    const cache = new BoundedCache<string, number>(max);
    keys.forEach((key, i) => cache.set(key, i));
    return cache;
  };

  it('drops the entry written longest ago when full', () => {
    const cache = filled(2, ['a', 'b', 'c']);
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect([cache.get('b'), cache.get('c')]).toEqual([1, 2]);
  });

  it('counts a rewrite as the newest entry, and a read as nothing', () => {
    const cache = filled(2, ['a', 'b']);
    cache.get('a');
    cache.set('c', 2);
    expect(cache.get('a')).toBeUndefined(); // read lately, written first: it goes
    const rewritten = filled(2, ['a', 'b']);
    rewritten.set('a', 9);
    rewritten.set('c', 2);
    expect(rewritten.get('a')).toBe(9);
    expect(rewritten.get('b')).toBeUndefined();
  });

  it('holds nothing with a bound of 0', () => {
    const cache = filled(0, ['a']);
    expect(cache.size).toBe(0);
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops the entries a predicate picks, and says how many', () => {
    const cache = filled(10, ['a', 'b', 'c', 'd']);
    expect(cache.deleteWhere((value) => value % 2 === 0)).toBe(2);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.get('d')]).toEqual([
      undefined,
      1,
      undefined,
      3,
    ]);
    cache.delete('b');
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
