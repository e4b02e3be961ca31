import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, type ServiceAppOptions } from '@keycard/observability';
import { AppModule } from './app.module';
import { RESOURCE_OPENAPI } from './observability/resource-observability';

/**
 * The resource-service app on Fastify, configured but not listening (main.ts and the HTTP specs
 * share it): guard refusals and API-key 429s counted in the metrics, OpenAPI at /docs.
 */
export function createApp(options: ServiceAppOptions = {}): Promise<NestFastifyApplication> {
  return createServiceApp(
    AppModule,
    { openApi: RESOURCE_OPENAPI, rateLimiter: 'api_key' },
    options,
  );
}
