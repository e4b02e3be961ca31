import type { Clock } from '@keycard/common';

/**
 * A value re-loaded when older than `maxAgeMs`. Concurrent readers share one load, and
 * `invalidate()` wins over a load already in flight: its stale result is never kept.
 */
export class RefreshingCache<T> {
  private value?: { data: T; loadedAt: number };
  private inflight?: { generation: number; promise: Promise<T> };
  private generation = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly clock: Clock,
  ) {}

  get(): Promise<T> {
    if (this.value && this.clock.now() - this.value.loadedAt < this.maxAgeMs) {
      return Promise.resolve(this.value.data);
    }
    if (this.inflight?.generation !== this.generation) this.inflight = this.start();
    return this.inflight.promise;
  }

  invalidate(): void {
    this.generation += 1;
    this.value = undefined;
  }

  private start(): { generation: number; promise: Promise<T> } {
    const generation = this.generation;
    const promise = this.load()
      .then((data) => {
        if (generation === this.generation) this.value = { data, loadedAt: this.clock.now() };
        return data;
      })
      .finally(() => {
        if (this.inflight?.generation === generation) this.inflight = undefined;
      });
    return { generation, promise };
  }
}
