import type { LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LevelWithSilent } from 'pino';
import {
  configureHttpApp,
  type ErrorObserver,
  KeycardError,
  keycardHttpAdapter,
} from '@keycard/common';
import type { ObservabilityConfig } from '../config';
import { useStructuredLogger } from '../logging/use-structured-logger';
import { KeycardMetrics } from '../metrics/keycard-metrics';
import { setupOpenApi, type OpenApiOptions } from '../openapi';
import type { ObservabilityOptions } from '../options';

/** How `main.ts` and the HTTP specs build a resource service's app. */
export interface ServiceAppOptions {
  logger?: LogLevel[] | false;
  /** Nest's own lines through pino as JSON (main.ts); tests keep `logger`. */
  structuredLogs?: boolean;
  /** `TRUST_PROXY`: the client IP from `X-Forwarded-For` (main.ts passes the setting). */
  trustProxy?: boolean;
}

/** What a resource service adds to `createServiceApp`: its OpenAPI document and its limiter. */
export interface ServiceAppShape {
  openApi: OpenApiOptions;
  /** The `limiter` label every 429 is counted under (`api_key`); absent when nothing limits. */
  rateLimiter?: string;
}

/**
 * Counts the refusals of the shared guard (in `@keycard/auth`, which has no metrics of its own)
 * where they become responses, in the exception filter: every 401 as an authentication failure
 * by error code and, with a `rateLimiter`, every 429 as a hit of that limiter. Runs on errors
 * only, so it costs the happy path nothing.
 */
export function countGuardRefusals(metrics: KeycardMetrics, rateLimiter?: string): ErrorObserver {
  return (error, status) => {
    if (status === 401) {
      const reason = error instanceof KeycardError ? error.code : 'unauthorized';
      metrics.authFailures.inc({ reason });
    } else if (status === 429 && rateLimiter !== undefined) {
      metrics.rateLimited.inc({ limiter: rateLimiter });
    }
  };
}

/**
 * A resource service's app on Fastify, configured but not listening: Keycard's HTTP setup, JSON
 * logs when asked, guard refusals counted in the metrics, and the OpenAPI document at `/docs`.
 */
export async function createServiceApp(
  module: Type<unknown>,
  shape: ServiceAppShape,
  options: ServiceAppOptions = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    keycardHttpAdapter({ trustProxy: options.trustProxy ?? false }),
    { logger: options.logger ?? ['log', 'warn', 'error'], bufferLogs: options.structuredLogs },
  );
  if (options.structuredLogs) useStructuredLogger(app);
  configureHttpApp(app, {
    observeErrors: countGuardRefusals(app.get(KeycardMetrics), shape.rateLimiter),
  });
  setupOpenApi(app, shape.openApi);
  return app;
}

/** Levels at which a Keycard service writes one line per request. */
const REQUEST_LOG_LEVELS: readonly LevelWithSilent[] = ['debug', 'trace'];

/**
 * `ObservabilityModule` options of a Keycard service named `service`, plus `extra` (its Redis, and
 * `currentRequestId` when it tracks its requests). The per-request logger (request lines, and the
 * request id on the app's own lines) runs only at `LOG_LEVEL=debug` or `trace`: on a hot path it
 * costs about a third of a trivial route's throughput even without writing a line, and 12–13 % of
 * a client-credentials grant's. Request ids are still made and echoed in `X-Request-Id`, and every
 * request is still counted and timed in the metrics.
 */
export function serviceObservability(
  service: string,
  config: ObservabilityConfig,
  extra: Partial<ObservabilityOptions> = {},
): ObservabilityOptions {
  const perRequest = REQUEST_LOG_LEVELS.includes(config.logLevel);
  return {
    service,
    logLevel: config.logLevel,
    metricsToken: config.metricsToken,
    ...extra,
    requestLogs: perRequest,
    requestContext: perRequest,
  };
}
