import { NestExpressApplication } from '@nestjs/platform-express';
import { BODY_LIMIT_BYTES, configureHttpApp } from '@keycard/common';
import { setupOpenApi } from '@keycard/observability';
import { AuthSettings } from '../config/auth.config';
import { AUTH_OPENAPI } from '../observability/auth-observability';

/**
 * HTTP settings of the auth-service, shared by `main.ts` and the HTTP tests; the OpenAPI document
 * (`/docs`, `/docs-json`) is built on its first request.
 */
export function configureAuthApp(app: NestExpressApplication, config: Pick<AuthSettings, 'trustProxy'>): void {
  app.useBodyParser('json', { limit: BODY_LIMIT_BYTES });
  app.useBodyParser('urlencoded', { limit: BODY_LIMIT_BYTES, extended: false });
  app.disable('x-powered-by');
  if (config.trustProxy) app.set('trust proxy', true);
  configureHttpApp(app);
  setupOpenApi(app, AUTH_OPENAPI);
}
