import type { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureHttpApp, keycardHttpAdapter } from '@keycard/common';
import { setupOpenApi } from '@keycard/observability';
import type { AuthSettings } from '../config/auth.config';
import { AUTH_OPENAPI } from '../observability/auth-observability';

/**
 * The auth-service's HTTP platform: Fastify, for its lower cost per request (docs/benchmarks.md
 * compares the two on a client-credentials grant). JSON and form bodies (Nest's parsers) up to
 * `BODY_LIMIT_BYTES`, JSON nested at most `MAX_JSON_DEPTH` deep; with `TRUST_PROXY` the client IP
 * comes from `X-Forwarded-For`.
 */
export function authHttpAdapter(config: Pick<AuthSettings, 'trustProxy'>): FastifyAdapter {
  return keycardHttpAdapter({ trustProxy: config.trustProxy });
}

/**
 * HTTP settings of the auth-service, shared by `main.ts` and the HTTP tests; the OpenAPI document
 * (`/docs`, `/docs-json`) is built on its first request.
 */
export function configureAuthApp(app: NestFastifyApplication): void {
  configureHttpApp(app);
  setupOpenApi(app, AUTH_OPENAPI);
}
