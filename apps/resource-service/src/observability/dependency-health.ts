import {
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { MemoryRateLimitStore, RateLimitStore, type RateLimitResult } from '@keycard/common';
import { KeycardMetrics, ReadinessService } from '@keycard/observability';
import { Gauge, type Registry } from 'prom-client';
import { resourceConfig, type ResourceSettings } from '../config/resource.config';

/** How often the auth-service is probed, and how long one probe may take. */
const PROBE_INTERVAL_MS = 2000;
const PROBE_TIMEOUT_MS = 1000;

/**
 * Whether the auth-service answers, probed every 2 s (`GET /health/live` at `AUTH_INTERNAL_URL`,
 * else the issuer). Shown in `/health/ready` as `authService` — always "up": bearer tokens keep
 * verifying with cached keys while it is away, so it must not take the replica out of a load
 * balancer — with `reachable`, `since` and the last error, and as the metric
 * `keycard_auth_service_reachable` (1/0). API keys not in the cache answer 503 meanwhile, and
 * usage reports wait in memory (bounded) for the next flush.
 */
@Injectable()
export class AuthServiceReachability implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AuthServiceReachability');
  private readonly url: string;
  private reachable = true;
  private since = Date.now();
  private lastError: string | undefined;
  private timer?: NodeJS.Timeout;
  private gauge?: Gauge;

  constructor(
    @Inject(resourceConfig.KEY) config: ResourceSettings,
    private readonly readiness: ReadinessService,
    private readonly metrics: KeycardMetrics,
  ) {
    this.url = new URL('health/live', withSlash(config.internalUrl ?? config.issuer)).toString();
  }

  onModuleInit(): void {
    this.readiness.addCheck('authService', () => ({ up: true, details: this.details() }));
    this.gauge = new Gauge({
      name: 'keycard_auth_service_reachable',
      help: 'Whether the auth-service answered its last probe (1) or not (0).',
      registers: [this.metrics.registry],
    });
    this.gauge.set(1);
    this.timer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  details(): Record<string, unknown> {
    const details: Record<string, unknown> = {
      reachable: this.reachable,
      since: new Date(this.since).toISOString(),
    };
    if (this.lastError !== undefined) details['lastError'] = this.lastError;
    return details;
  }

  async probe(): Promise<void> {
    let error: string | undefined;
    try {
      const response = await fetch(this.url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await response.arrayBuffer();
      if (!response.ok) error = `answered ${response.status}`;
    } catch (cause) {
      error = describe(cause);
    }
    this.update(error === undefined, error);
  }

  private update(reachable: boolean, error: string | undefined): void {
    if (error !== undefined) this.lastError = error;
    this.gauge?.set(reachable ? 1 : 0);
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    this.since = Date.now();
    if (reachable) this.logger.log('the auth-service answers again');
    else
      this.logger.warn(`the auth-service does not answer (${error}); bearer tokens still verify`);
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** The socket error code (`ECONNREFUSED`), `timeout`, or the message: read structurally, since
 * fetch's errors may come from another realm. */
function describe(error: unknown): string {
  const { name, message, cause } = (error ?? {}) as {
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  if (name === 'TimeoutError') return 'timeout';
  return typeof message === 'string' ? message : String(error);
}

/**
 * The API-key rate-limit store as the limiter sees it, with the metric
 * `keycard_api_key_rate_limit_fallback`: 1 while the shared store (Redis) fails and limits are
 * counted per instance, 0 otherwise. Per instance rather than failing closed: an API key is a
 * credential that was already verified, the limit protects capacity rather than secrets, and
 * refusing every keyed request because a counter is unreachable would turn a Redis outage into an
 * API outage; with N replicas a key may briefly get up to N times its limit. An in-process store
 * is returned as it is (it never fails, and the limiter has a faster path for it).
 */
export function observeRateLimitFallback(
  store: RateLimitStore,
  registry: Registry,
): RateLimitStore {
  if (store instanceof MemoryRateLimitStore) return store;
  const gauge = new Gauge({
    name: 'keycard_api_key_rate_limit_fallback',
    help: 'Whether API-key limits are counted per instance because the shared store failed (1) or not (0).',
    registers: [registry],
  });
  gauge.set(0);
  return new ObservedRateLimitStore(store, (down) => gauge.set(down ? 1 : 0));
}

class ObservedRateLimitStore extends RateLimitStore {
  constructor(
    private readonly inner: RateLimitStore,
    private readonly onState: (down: boolean) => void,
  ) {
    super();
  }

  hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    return this.inner.hit(key, limit, windowSeconds).then(
      (result) => {
        this.onState(false);
        return result;
      },
      (error: unknown) => {
        this.onState(true);
        throw error;
      },
    );
  }

  release(key: string): Promise<void> {
    return this.inner.release(key);
  }

  reset(key: string): Promise<void> {
    return this.inner.reset(key);
  }
}

/** The auth-service reachability probe; import beside the observability module. */
@Module({ providers: [AuthServiceReachability] })
export class DependencyHealthModule {}
