import type { InjectionToken, ModuleMetadata } from '@nestjs/common';
import type { DestinationStream, LevelWithSilent } from 'pino';

/** Something Redis-like that answers a ping, e.g. a node-redis v5 or ioredis client. */
export interface Pingable {
  ping(): Promise<unknown>;
}

/** A ping function or a client whose `ping()` is called; `null`/absent means "no Redis". */
export type RedisPing = (() => Promise<unknown>) | Pingable | null;

/** Options of `ObservabilityModule.forRoot`. */
export interface ObservabilityOptions {
  /** Service name, put on every log line (`service`) and on the metrics (`service` default label). */
  service: string;
  /** pino level (`LOG_LEVEL`); `silent` for tests. Default `info`. */
  logLevel?: LevelWithSilent;
  /**
   * When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>` (`METRICS_TOKEN`).
   * Production should still keep `/metrics` off the public network.
   */
  metricsToken?: string;
  /** Redis checked by `/health/ready`, when the service uses Redis. */
  redisPing?: RedisPing;
  /**
   * Whether `/health/ready` fails while Redis does not answer (default `true`). `false` for a
   * service that keeps serving without it (the resource-service counts API-key limits per
   * instance meanwhile): readiness stays 200 and `redis` shows `reachable: false`, so a load
   * balancer does not take every replica out at once for an outage they ride through.
   */
  redisRequired?: boolean;
  /**
   * One "request completed" line per request (default `true`). `false` keeps the request id on
   * the app's own log lines and in the response but skips the per-request line: the cheaper
   * choice for a hot path where an access log is kept elsewhere (load balancer, ingress).
   */
  requestLogs?: boolean;
  /**
   * The per-request logger (default `true`): a pino child logger bound to the request, so the
   * app's lines written during a request carry its id. `false` skips it, and with it most of the
   * per-request cost of logging (measured: about a third of a trivial Fastify route's
   * throughput); it implies no request lines. On Fastify the id is still made and echoed in
   * `X-Request-Id`; on Express the id comes from this logger, so keep it there.
   */
  requestContext?: boolean;
  /**
   * Without the per-request logger (`requestContext: false`, Fastify): the id of the request being
   * handled, read when a line is written, so the app's own lines still carry `req.id`. The app
   * answers it from what it already tracks per request (the auth-service: its audit context), so
   * no request pays for it; lines written outside a request, or when it answers undefined, have no
   * `req`. Ignored while the per-request logger runs (its lines carry the whole `req`).
   */
  currentRequestId?: () => string | undefined;
  /** Where log lines go (default stdout). Tests pass a stream to capture them. */
  logDestination?: DestinationStream;
  /** Default process metrics (CPU, memory, event loop, GC). Default `true`. */
  defaultMetrics?: boolean;
  /** Time allowed to each readiness check. Default 1000 ms. */
  readinessTimeoutMs?: number;
}

/** `forRootAsync`: options built from injected providers (typed config, the Redis client). */
export interface ObservabilityAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => ObservabilityOptions | Promise<ObservabilityOptions>;
  inject?: InjectionToken[];
}

/** Injection token of the resolved `ObservabilityOptions`. */
export const OBSERVABILITY_OPTIONS = Symbol('OBSERVABILITY_OPTIONS');
