import { Logger } from '@nestjs/common';
import type { Clock } from '@keycard/common';
import { SystemClock } from '@keycard/common';
import { describeError } from '../discovery';
import { basicAuthorization } from './basic-auth';

export interface ApiKeyUsageReporterOptions {
  /** `${auth-service}/api-keys/usage-reports`. */
  endpoint: string;
  clientId: string;
  clientSecret: string;
  /** Default 10. */
  flushIntervalSeconds?: number;
  /** Lines per request; default (and at most) 500, which keeps a body well under 64 KiB. */
  chunkSize?: number;
  /** Lines kept while the auth-service does not take them; default 50000. Beyond, the oldest go. */
  maxPendingLines?: number;
  /** Per HTTP request; default 5000. */
  timeoutMs?: number;
  clock?: Clock;
}

/** One line of a report: requests made with a key on one UTC day. */
export interface UsageLine {
  keyId: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  count: number;
  /** Epoch ms of the latest request counted. */
  lastUsedAt: number;
}

const MAX_CHUNK = 500;
const DAY_MS = 86_400_000;

/** A 4xx other than these will never be accepted, so retrying it is pointless. */
const RETRYABLE_CLIENT_STATUSES = new Set([401, 403, 408, 429]);

/**
 * Counts successful API-key requests per key and UTC day in memory (a Map update per request, no
 * I/O) and sends them to the auth-service every `flushIntervalSeconds` and at shutdown, as the
 * service's client (HTTP Basic), in chunks. Lines that fail to send are merged back and retried
 * at the next flush, up to `maxPendingLines`.
 */
export class ApiKeyUsageReporter {
  private readonly logger = new Logger('KeycardApiKeyUsage');
  /** Every line not yet sent, by `day keyId`. */
  private pending = new Map<string, UsageLine>();
  /** Today's lines of `pending` by key id: the per-request path needs no string building. */
  private readonly today = new Map<string, UsageLine>();
  private readonly clock: Clock;
  private readonly authorization: string;
  private readonly chunkSize: number;
  private readonly maxPending: number;
  private readonly timeoutMs: number;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private day = '';
  private dayEndsAt = 0;
  private lastProblem?: string;

  constructor(private readonly options: ApiKeyUsageReporterOptions) {
    this.clock = options.clock ?? new SystemClock();
    this.authorization = basicAuthorization(options.clientId, options.clientSecret);
    this.chunkSize = Math.min(Math.max(1, options.chunkSize ?? MAX_CHUNK), MAX_CHUNK);
    this.maxPending = options.maxPendingLines ?? 50_000;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** Lines waiting to be sent. */
  get pendingLines(): number {
    return this.pending.size;
  }

  /** Counts one successful request made with the key `keyId` at `now` (default: the clock's now). */
  record(keyId: string, now: number = this.clock.now()): void {
    const day = this.dayOf(now);
    let line = this.today.get(keyId);
    if (line === undefined) {
      line = { keyId, day, count: 0, lastUsedAt: now };
      this.pending.set(slotOf(line), line);
      this.today.set(keyId, line);
    }
    line.count += 1;
    if (now > line.lastUsedAt) line.lastUsedAt = now;
  }

  /** Starts the periodic flush (the timer does not keep the process alive). */
  start(): void {
    if (this.timer !== undefined) return;
    const everyMs = (this.options.flushIntervalSeconds ?? 10) * 1000;
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  /** Stops the timer and sends what is left (at shutdown, after the HTTP server has stopped). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    // A flush that was already running when stop() came may have left lines behind.
    if (this.pending.size > 0) await this.flush();
  }

  /** Sends every pending line now; one flush at a time (a second caller joins the running one). */
  flush(): Promise<void> {
    this.flushing ??= this.sendPending().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async sendPending(): Promise<void> {
    if (this.pending.size === 0) return;
    const lines = [...this.pending.values()];
    this.pending = new Map();
    this.today.clear();
    for (let start = 0; start < lines.length; start += this.chunkSize) {
      const chunk = lines.slice(start, start + this.chunkSize);
      const outcome = await this.send(chunk);
      if (outcome === 'retry') {
        this.keep(lines.slice(start));
        return;
      }
    }
  }

  private async send(chunk: UsageLine[]): Promise<'sent' | 'retry' | 'dropped'> {
    const reports = chunk.map((line) => ({
      keyId: line.keyId,
      day: line.day,
      count: line.count,
      lastUsedAt: new Date(line.lastUsedAt).toISOString(),
    }));
    try {
      const response = await fetch(this.options.endpoint, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ reports }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
      if (response.ok) return this.sent();
      const retry = response.status >= 500 || RETRYABLE_CLIENT_STATUSES.has(response.status);
      this.problem(`the auth-service answered ${response.status}`, retry, chunk.length);
      return retry ? 'retry' : 'dropped';
    } catch (error) {
      this.problem(describeError(error), true, chunk.length);
      return 'retry';
    }
  }

  /** Merges unsent lines back (counts add up, the latest use wins), keeping at most maxPending. */
  private keep(unsent: UsageLine[]): void {
    const merged = new Map<string, UsageLine>();
    for (const line of [...unsent, ...this.pending.values()]) {
      const slot = slotOf(line);
      const known = merged.get(slot);
      if (known === undefined) merged.set(slot, { ...line });
      else {
        known.count += line.count;
        known.lastUsedAt = Math.max(known.lastUsedAt, line.lastUsedAt);
      }
    }
    const overflow = merged.size - this.maxPending;
    if (overflow > 0) {
      const oldestFirst = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      for (const [slot] of oldestFirst.slice(0, overflow)) merged.delete(slot);
      this.logger.warn(`dropped ${overflow} unsent usage line(s): too many waiting`);
    }
    this.pending = merged;
    this.today.clear();
    for (const line of merged.values()) if (line.day === this.day) this.today.set(line.keyId, line);
  }

  private sent(): 'sent' {
    if (this.lastProblem !== undefined) this.logger.log('usage reports are accepted again');
    this.lastProblem = undefined;
    return 'sent';
  }

  private problem(why: string, retry: boolean, lines: number): void {
    const message = retry
      ? `usage report failed (${why}); keeping the counts for the next flush`
      : `usage report refused (${why}); ${lines} line(s) dropped`;
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.logger.warn(message);
  }

  /** `YYYY-MM-DD` (UTC) of `now`, recomputed only when the day changes. */
  private dayOf(now: number): string {
    if (now >= this.dayEndsAt || now < this.dayEndsAt - DAY_MS) {
      const start = now - (now % DAY_MS);
      this.day = new Date(start).toISOString().slice(0, 10);
      this.dayEndsAt = start + DAY_MS;
      this.today.clear(); // yesterday's lines stay in `pending`
    }
    return this.day;
  }
}

function slotOf(line: UsageLine): string {
  return `${line.day} ${line.keyId}`;
}
