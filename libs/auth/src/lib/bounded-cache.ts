/**
 * A Map with a bound: the one cache shape of this library (verified tokens, API-key answers and
 * limits, rate-limit store keys). One eviction rule: when full, the entry written longest ago goes.
 * A write makes its entry the newest; a read does not, so that a hit stays one Map lookup on the
 * request path. Expiry is the caller's (an entry's end depends on what it holds: a token's `exp`,
 * an answer's TTL), kept in the value and checked on read; `delete` drops a dead entry.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  /** `maxEntries` ≤ 0: the cache holds nothing. */
  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Stores `value` as the newest entry, first dropping the oldest ones while the cache is full. */
  set(key: K, value: V): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Drops every entry `matches` picks; returns how many went. */
  deleteWhere(matches: (value: V, key: K) => boolean): number {
    let dropped = 0;
    for (const [key, value] of this.entries) {
      if (!matches(value, key)) continue;
      this.entries.delete(key);
      dropped++;
    }
    return dropped;
  }

  clear(): void {
    this.entries.clear();
  }
}
