export { ObservabilityModule } from './lib/observability.module';
export { ReadinessService, type ComponentState, type ReadinessCheck } from './lib/health/readiness';
export { ServiceHealthModule } from './lib/health/service-health.module';
export {
  OBSERVABILITY_OPTIONS,
  type ObservabilityAsyncOptions,
  type ObservabilityOptions,
  type Pingable,
  type RedisPing,
} from './lib/options';
export {
  KeycardMetrics,
  type IssuedTokenKind,
  type LabeledCounter,
  type SigningKeyAgeProvider,
} from './lib/metrics/keycard-metrics';
export { UNMATCHED_ROUTE } from './lib/metrics/http-metrics';
export {
  REQUEST_ID_HEADER,
  REDACTED_PATHS,
  requestIdOf,
  loggerParams,
} from './lib/logging/logger-params';
export { loadObservabilityConfig, type ObservabilityConfig } from './lib/config';
export {
  setupOpenApi,
  createOpenApiDocument,
  keycardOpenApi,
  OPENAPI_SECURITY,
  type OpenApiOptions,
  type OpenApiScheme,
} from './lib/openapi';
export { ApiEndpoint, type ApiEndpointSpec, type ApiErrors } from './lib/openapi-responses';
export {
  countGuardRefusals,
  createServiceApp,
  serviceObservability,
  type ServiceAppOptions,
  type ServiceAppShape,
} from './lib/service/service-app';
export {
  serviceObservabilityModule,
  type ObservedServiceSettings,
} from './lib/service/service-observability.module';
export { installGracefulShutdown, type GracefulShutdownOptions } from './lib/shutdown';
export { useStructuredLogger } from './lib/logging/use-structured-logger';
