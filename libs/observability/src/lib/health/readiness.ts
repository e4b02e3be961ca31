import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { OBSERVABILITY_OPTIONS, type ObservabilityOptions, type RedisPing } from '../options';

const DEFAULT_TIMEOUT_MS = 1000;

/** A readiness answer: 200 with every component up, 503 naming the failing ones. */
export interface Readiness {
  status: 200 | 503;
  body: HealthCheckResult;
}

/**
 * Runs the readiness checks: the app's TypeORM database (a ping query) and, when configured,
 * Redis. Each check is bounded by `readinessTimeoutMs`, so a stuck dependency fails the probe
 * instead of hanging it.
 */
@Injectable()
export class ReadinessService {
  private readonly timeoutMs: number;

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityOptions,
  ) {
    this.timeoutMs = options.readinessTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async check(): Promise<Readiness> {
    const checks: HealthIndicatorFunction[] = [
      () => this.database.pingCheck('database', { timeout: this.timeoutMs }),
    ];
    const redis = this.options.redisPing;
    if (redis) checks.push(() => this.checkRedis(redis));
    try {
      return { status: 200, body: await this.health.check(checks) };
    } catch (error) {
      const body = failedResult(error);
      if (body === undefined) throw error;
      return { status: 503, body };
    }
  }

  private async checkRedis(redis: Exclude<RedisPing, null>) {
    const indicator = this.indicators.check('redis');
    try {
      await withTimeout(typeof redis === 'function' ? redis() : redis.ping(), this.timeoutMs);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : 'ping failed' });
    }
  }
}

/** Terminus reports a failed check by throwing a 503 whose response is the full result. */
function failedResult(error: unknown): HealthCheckResult | undefined {
  if (!(error instanceof ServiceUnavailableException)) return undefined;
  const response = error.getResponse();
  if (typeof response === 'object' && 'status' in response) {
    return response as HealthCheckResult;
  }
  return undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
