import { registerAs, type ConfigType } from '@nestjs/config';
import {
  envBool,
  envDuration,
  envPort,
  envPostgresUrl,
  envRedisUrl,
  envString,
  type Env,
} from '@keycard/common';
import { loadServiceAuthSettings } from '@keycard/auth';
import { loadObservabilityConfig } from '@keycard/observability';
import { resolve } from 'node:path';

/** Every resource-service setting, parsed and validated once (durations are in seconds). */
export function loadResourceConfig(env: Env) {
  return {
    port: envPort(env, 'RESOURCE_PORT', 3001),
    host: envString(env, 'RESOURCE_HOST', '0.0.0.0'),
    dataDir: resolve(envString(env, 'DATA_DIR', './data')),
    databaseUrl: envPostgresUrl(env, 'RESOURCE_DATABASE_URL'),
    redisUrl: envRedisUrl(env, 'REDIS_URL'),
    /** The longest a Redis command waits for its answer before the request fails with 503. */
    redisTimeout: envDuration(env, 'REDIS_TIMEOUT', '1s', 0.05, 60),
    /** PostgreSQL: the longest a query runs or waits for a connection before a 503. */
    databaseTimeout: envDuration(env, 'DATABASE_TIMEOUT', '3s', 0.1, 600),
    /** AUTH_*, JWKS_MIN_REFETCH_INTERVAL, API_KEY_*, REVOCATION_FAIL_CLOSED (@keycard/auth). */
    ...loadServiceAuthSettings(env),
    /** Client IPs (the API-key failure limit) from `X-Forwarded-For`: only behind your own proxy. */
    trustProxy: envBool(env, 'TRUST_PROXY', false),
    /** LOG_LEVEL, METRICS_TOKEN, SHUTDOWN_DRAIN, SHUTDOWN_TIMEOUT. */
    observability: loadObservabilityConfig(env),
  };
}

export type ResourceConfig = ReturnType<typeof loadResourceConfig>;

/** `@Inject(resourceConfig.KEY) config: ResourceSettings` gives the typed, validated settings. */
export const resourceConfig = registerAs('resource', () => loadResourceConfig(process.env));
export type ResourceSettings = ConfigType<typeof resourceConfig>;
