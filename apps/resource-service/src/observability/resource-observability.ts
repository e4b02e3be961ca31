import { RATE_LIMIT_REDIS } from '@keycard/common';
import {
  ObservabilityModule,
  serviceObservability,
  type OpenApiOptions,
  type RedisPing,
} from '@keycard/observability';
import type { ResourceSettings } from '../config/resource.config';
import { resourceConfig } from '../config/resource.config';

/**
 * Probes, metrics and JSON logs of the resource-service (`@keycard/observability`, with a
 * resource service's per-request logging): `/health/ready` checks the database and, when
 * `REDIS_URL` is set, the rate-limit Redis.
 */
export const ResourceObservabilityModule = ObservabilityModule.forRootAsync({
  inject: [resourceConfig.KEY, RATE_LIMIT_REDIS],
  useFactory: (config: ResourceSettings, redis: RedisPing) =>
    serviceObservability('resource-service', config.observability, {
      redisPing: redis,
      // API-key limits count per instance while Redis is away: the replica stays ready.
      redisRequired: false,
    }),
});

/** `setupOpenApi` options of the resource-service (`/docs`, `/docs-json`). */
export const RESOURCE_OPENAPI: OpenApiOptions = {
  title: 'Keycard resource-service',
  version: '1.0.0',
  description:
    'An example resource server: documents owned by their caller, checked with Keycard credentials.',
  schemes: ['bearer', 'apiKey'],
};
