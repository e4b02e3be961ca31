import { ExpiryQueue } from './expiry-queue';

describe('ExpiryQueue', () => {
  it('gives items back earliest first, whatever order they came in', () => {
    const queue = new ExpiryQueue<{ expiresAt: number; name: string }>();
    const times = [50, 10, 40, 10, 90, 0, 70, 30, 20, 60, 80, 5];
    times.forEach((expiresAt, i) => queue.push({ expiresAt, name: `item-${i}` }));
    expect(queue.size).toBe(times.length);
    expect(queue.peek()?.expiresAt).toBe(0);
    const out: number[] = [];
    for (let item = queue.pop(); item !== undefined; item = queue.pop()) out.push(item.expiresAt);
    expect(out).toEqual([...times].sort((a, b) => a - b));
    expect(queue.size).toBe(0);
    expect(queue.pop()).toBeUndefined();
  });

  it('keeps its order through interleaved pushes and pops (random trial)', () => {
    const queue = new ExpiryQueue<{ expiresAt: number }>();
    const reference: number[] = [];
    let seed = 7; // xorshift32: a repeatable sequence
    const next = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed >>> 0;
    };
    for (let step = 0; step < 5000; step++) {
      if (next() % 3 !== 0) {
        const expiresAt = next() % 1000;
        queue.push({ expiresAt });
        reference.push(expiresAt);
        reference.sort((a, b) => a - b);
      } else {
        expect(queue.pop()?.expiresAt).toBe(reference.shift());
      }
      expect(queue.size).toBe(reference.length);
    }
  });

  it('reset replaces every item', () => {
    const queue = new ExpiryQueue<{ expiresAt: number }>();
    for (const expiresAt of [3, 1, 2]) queue.push({ expiresAt });
    queue.reset([{ expiresAt: 9 }, { expiresAt: 4 }]);
    expect([queue.pop()?.expiresAt, queue.pop()?.expiresAt, queue.pop()]).toEqual([
      4,
      9,
      undefined,
    ]);
  });
});
