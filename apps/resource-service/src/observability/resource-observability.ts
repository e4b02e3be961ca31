import { keycardOpenApi, serviceObservabilityModule } from '@keycard/observability';
import { resourceConfig } from '../config/resource.config';

/**
 * Probes, metrics and JSON logs of the resource-service (`@keycard/observability`, with a
 * resource service's per-request logging): `/health/ready` checks the database and shows the
 * rate-limit Redis when `REDIS_URL` is set.
 */
export const ResourceObservabilityModule = serviceObservabilityModule(
  'resource-service',
  resourceConfig.KEY,
  { rateLimitRedis: true },
);

/** `setupOpenApi` options of the resource-service (`/docs`, `/docs-json`). */
export const RESOURCE_OPENAPI = keycardOpenApi(
  'resource-service',
  'An example resource server: documents owned by their caller, checked with Keycard credentials.',
  ['bearer', 'apiKey'],
);
