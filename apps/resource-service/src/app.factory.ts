import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureHttpApp, keycardHttpAdapter } from '@keycard/common';
import { KeycardMetrics, setupOpenApi, useStructuredLogger } from '@keycard/observability';
import { AppModule } from './app.module';
import { countRefusals, RESOURCE_OPENAPI } from './observability/resource-observability';

export interface CreateAppOptions {
  logger?: LogLevel[] | false;
  /** Nest's own lines through pino as JSON (main.ts); tests keep `logger`. */
  structuredLogs?: boolean;
  /** `TRUST_PROXY`: the client IP from `X-Forwarded-For` (main.ts passes the setting). */
  trustProxy?: boolean;
}

/** The resource-service app on Fastify, configured but not listening (main.ts and the HTTP spec share it). */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule,
    keycardHttpAdapter({ trustProxy: options.trustProxy ?? false }),
    {
      logger: options.logger ?? ['log', 'warn', 'error'],
      bufferLogs: options.structuredLogs,
    },
  );
  // Observability (libs/observability): JSON logs, refusals counted in metrics, OpenAPI at /docs.
  if (options.structuredLogs) useStructuredLogger(app);
  configureHttpApp(app, { observeErrors: countRefusals(app.get(KeycardMetrics)) });
  setupOpenApi(app, RESOURCE_OPENAPI);
  return app;
}
