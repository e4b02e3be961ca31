/**
 * A binary min-heap of items by their `expiresAt`: push and pop in O(log n), the earliest first.
 * Items are never updated or removed in place; their owner pushes a new item instead and skips the
 * ones that no longer hold when they come out (see `DenySet`).
 */
export class ExpiryQueue<T extends { expiresAt: number }> {
  private readonly heap: T[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** The earliest item, left in the queue; undefined when empty. */
  peek(): T | undefined {
    return this.heap[0];
  }

  push(item: T): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].expiresAt <= item.expiresAt) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = item;
  }

  /** Takes the earliest item out; undefined when empty. */
  pop(): T | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && heap[right].expiresAt < heap[left].expiresAt ? right : left;
      if (heap[child].expiresAt >= last.expiresAt) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }

  /** Empties the queue, then pushes `items` (to drop the items that no longer hold). */
  reset(items: Iterable<T>): void {
    this.heap.length = 0;
    for (const item of items) this.push(item);
  }
}
