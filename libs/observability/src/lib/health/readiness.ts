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

/** A component's state for `/health/ready`: `up: false` fails readiness; details show either way. */
export interface ComponentState {
  up: boolean;
  details?: Record<string, unknown>;
}

/** An app's own readiness component (e.g. "can this service verify tokens yet"). */
export type ReadinessCheck = () => ComponentState | Promise<ComponentState>;

/**
 * Runs the readiness checks: the app's TypeORM database (a ping query) and, when configured,
 * Redis. Each check is bounded by `readinessTimeoutMs`, so a stuck dependency fails the probe
 * instead of hanging it.
 */
@Injectable()
export class ReadinessService {
  private readonly timeoutMs: number;
  private readonly components = new Map<string, ReadinessCheck>();
  private draining = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityOptions,
  ) {
    this.timeoutMs = options.readinessTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Adds a component to every readiness answer, under `name`. */
  addCheck(name: string, check: ReadinessCheck): void {
    this.components.set(name, check);
  }

  /**
   * From now on every answer is 503 naming `shutdown`, without checking anything: the process is
   * shutting down, and load balancers must stop sending to it while it still serves
   * (`installGracefulShutdown` calls this on SIGTERM/SIGINT).
   */
  startDraining(): void {
    this.draining = true;
  }

  async check(): Promise<Readiness> {
    if (this.draining) return { status: 503, body: DRAINING };
    const checks: HealthIndicatorFunction[] = [
      () => this.database.pingCheck('database', { timeout: this.timeoutMs }),
    ];
    const redis = this.options.redisPing;
    if (redis) checks.push(() => this.checkRedis(redis));
    for (const [name, component] of this.components) {
      checks.push(() => this.checkComponent(name, component));
    }
    try {
      return { status: 200, body: await this.health.check(checks) };
    } catch (error) {
      const body = failedResult(error);
      if (body === undefined) throw error;
      return { status: 503, body };
    }
  }

  private async checkComponent(name: string, component: ReadinessCheck) {
    const indicator = this.indicators.check(name);
    try {
      const state = await withTimeout(Promise.resolve(component()), this.timeoutMs);
      return state.up ? indicator.up(state.details) : indicator.down(state.details);
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : 'check failed' });
    }
  }

  private async checkRedis(redis: Exclude<RedisPing, null>) {
    const indicator = this.indicators.check('redis');
    try {
      await withTimeout(typeof redis === 'function' ? redis() : redis.ping(), this.timeoutMs);
      return this.options.redisRequired === false
        ? indicator.up({ reachable: true })
        : indicator.up();
    } catch (error) {
      const message = error instanceof Error ? error.message : 'ping failed';
      // A service that works on without Redis stays ready and says so in the details.
      if (this.options.redisRequired === false) return indicator.up({ reachable: false, message });
      return indicator.down({ message });
    }
  }
}

const SHUTTING_DOWN = { shutdown: { status: 'down' as const, message: 'shutting down' } };
const DRAINING: HealthCheckResult = {
  status: 'error',
  info: {},
  error: SHUTTING_DOWN,
  details: SHUTTING_DOWN,
};

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
