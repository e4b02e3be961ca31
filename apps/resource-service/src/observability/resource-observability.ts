import { KeycardError, RATE_LIMIT_REDIS, type ErrorObserver } from '@keycard/common';
import type { KeycardMetrics } from '@keycard/observability';
import {
  ObservabilityModule,
  type ObservabilityOptions,
  type OpenApiOptions,
} from '@keycard/observability';
import type { LevelWithSilent } from 'pino';
import type { ResourceSettings } from '../config/resource.config';
import { resourceConfig } from '../config/resource.config';

/** Levels at which the resource-service writes one line per request. */
const REQUEST_LOG_LEVELS: readonly LevelWithSilent[] = ['debug', 'trace'];

/**
 * Probes, metrics and JSON logs of the resource-service (`@keycard/observability`):
 * `/health/ready` checks the database and, when `REDIS_URL` is set, the rate-limit Redis.
 * The per-request logger (request lines, and the request id on the app's own lines) runs only at
 * `LOG_LEVEL=debug` or `trace`: on this hot path it cost about a third of a trivial route's
 * throughput even without writing a line. Request ids are still made and echoed in
 * `X-Request-Id`, and every request is still counted and timed in the metrics.
 */
export const ResourceObservabilityModule = ObservabilityModule.forRootAsync({
  inject: [resourceConfig.KEY, RATE_LIMIT_REDIS],
  useFactory: (config: ResourceSettings, redis: ObservabilityOptions['redisPing']) => {
    const perRequest = REQUEST_LOG_LEVELS.includes(config.observability.logLevel);
    return {
      service: 'resource-service',
      logLevel: config.observability.logLevel,
      metricsToken: config.observability.metricsToken,
      redisPing: redis,
      // API-key limits count per instance while Redis is away: the replica stays ready.
      redisRequired: false,
      requestLogs: perRequest,
      requestContext: perRequest,
    };
  },
});

/** `setupOpenApi` options of the resource-service (`/docs`, `/docs-json`). */
export const RESOURCE_OPENAPI: OpenApiOptions = {
  title: 'Keycard resource-service',
  version: '1.0.0',
  description:
    'An example resource server: documents owned by their caller, checked with Keycard credentials.',
  schemes: ['bearer', 'apiKey'],
};

/**
 * Counts the refusals of the shared guard (in `@keycard/auth`, which has no metrics of its own)
 * where they become responses, in the exception filter: every 401 as an authentication failure
 * by error code, every 429 as an API-key rate-limit hit (the only limiter here). Runs on errors
 * only, so it costs the happy path nothing.
 */
export function countRefusals(metrics: KeycardMetrics): ErrorObserver {
  return (error, status) => {
    if (status === 401) {
      const reason = error instanceof KeycardError ? error.code : 'unauthorized';
      metrics.authFailures.inc({ reason });
    } else if (status === 429) {
      metrics.rateLimited.inc({ limiter: 'api_key' });
    }
  };
}
