import type { HttpResult, RequestOptions } from './http';
import { request } from './http';

const POLL_MS = 200;
const PROBE_TIMEOUT_MS = 1_000;

export interface BalancerOptions {
  /** The longest a call waits for an instance to be ready before it fails. Default 60 s. */
  holdTimeoutMs?: number;
}

/** What the balancer did, beyond sending each call once. */
export interface BalancerStats {
  /** Calls answered, by instance. */
  answeredBy: Record<string, number>;
  /** Calls whose connection was refused, then sent again to a ready instance. */
  retried: number;
  /** Calls that found no instance ready and waited for one. */
  held: number;
  /** The longest such wait. */
  longestHoldMs: number;
}

/** The connection was refused: the request never reached a server, so sending it again is safe. */
function refused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
  if (cause?.code === 'ECONNREFUSED') return true;
  return cause?.errors?.some((inner) => inner.code === 'ECONNREFUSED') ?? false;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A test's load balancer, as one in front of the topology would be: it polls every instance's
 * `GET /health/ready` every 200 ms and sends each call round-robin to an instance whose last
 * answer was 200 — a draining instance (503) gets no new call. With no instance ready, a call
 * waits for one (at most `holdTimeoutMs`). A refused connection (the instance is gone) marks the
 * instance down and the call goes once more to a ready one; any other failure (a reset, a
 * timeout) reaches the caller: the request may have been served.
 */
export class ReadinessBalancer {
  readonly stats: BalancerStats;
  private readonly ready = new Map<string, boolean>();
  private readonly holdTimeoutMs: number;
  private polling = true;
  private pollers: Promise<void>[] = [];
  private turn = 0;

  constructor(
    private readonly urls: string[],
    options: BalancerOptions = {},
  ) {
    this.holdTimeoutMs = options.holdTimeoutMs ?? 60_000;
    this.stats = { answeredBy: {}, retried: 0, held: 0, longestHoldMs: 0 };
    for (const url of urls) this.stats.answeredBy[url] = 0;
  }

  /** Starts polling; resolves once every instance has been probed once. */
  async start(): Promise<void> {
    await Promise.all(this.urls.map((url) => this.probe(url)));
    this.pollers = this.urls.map((url) => this.poll(url));
  }

  async stop(): Promise<void> {
    this.polling = false;
    await Promise.all(this.pollers);
  }

  /** `method path` at a ready instance. */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResult<T>> {
    const first = await this.pick();
    try {
      return this.answered(first, await request<T>(method, `${first}${path}`, options));
    } catch (error) {
      if (!refused(error)) throw error;
      this.ready.set(first, false);
      this.stats.retried++;
    }
    const second = await this.pick();
    return this.answered(second, await request<T>(method, `${second}${path}`, options));
  }

  private answered<T>(url: string, answer: HttpResult<T>): HttpResult<T> {
    this.stats.answeredBy[url]++;
    return answer;
  }

  private async pick(): Promise<string> {
    const since = Date.now();
    for (let waited = false; ; waited = true) {
      const ready = this.urls.filter((url) => this.ready.get(url));
      if (ready.length > 0) {
        if (waited) {
          this.stats.held++;
          this.stats.longestHoldMs = Math.max(this.stats.longestHoldMs, Date.now() - since);
        }
        return ready[this.turn++ % ready.length];
      }
      if (Date.now() - since > this.holdTimeoutMs) {
        throw new Error(`no instance of ${this.urls.join(', ')} ready in ${this.holdTimeoutMs} ms`);
      }
      await delay(20);
    }
  }

  private async poll(url: string): Promise<void> {
    while (this.polling) {
      await delay(POLL_MS);
      await this.probe(url);
    }
  }

  private async probe(url: string): Promise<void> {
    try {
      const response = await fetch(`${url}/health/ready`, {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      this.ready.set(url, response.status === 200);
    } catch {
      this.ready.set(url, false);
    }
  }
}
