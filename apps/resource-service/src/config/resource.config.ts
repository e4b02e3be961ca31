import { ConfigType, registerAs } from '@nestjs/config';
import {
  ConfigError,
  Env,
  envBool,
  envDuration,
  envIssuer,
  envInt,
  envOneOf,
  envOptional,
  envOptionalHttpUrl,
  envPort,
  envPostgresUrl,
  envRedisUrl,
  envString,
} from '@keycard/common';
import {
  DEFAULT_API_KEY_FAILURE_LIMIT,
  envApiKeyEnvironments,
  RATE_LIMIT_HEADER_POLICIES,
} from '@keycard/auth';
import { loadObservabilityConfig } from '@keycard/observability';
import { resolve } from 'node:path';

/** Longest `API_KEY_CACHE_TTL`: a revoked key must stop working soon. */
export const MAX_API_KEY_CACHE_TTL = 300;
/** Highest `API_KEY_RATE_LIMIT`, the same bound as a key's own limit at the auth-service. */
export const MAX_API_KEY_RATE_LIMIT = 100_000;

/** Every resource-service setting, parsed and validated once (durations are in seconds). */
export function loadResourceConfig(env: Env) {
  const authClientId = envOptional(env, 'AUTH_CLIENT_ID');
  const authClientSecret = envOptional(env, 'AUTH_CLIENT_SECRET');
  if (authClientId !== undefined && authClientSecret === undefined) {
    throw new ConfigError('AUTH_CLIENT_SECRET', 'is required when AUTH_CLIENT_ID is set');
  }
  if (authClientSecret !== undefined && authClientId === undefined) {
    throw new ConfigError('AUTH_CLIENT_ID', 'is required when AUTH_CLIENT_SECRET is set');
  }
  const apiKeyCacheTtl = envDuration(env, 'API_KEY_CACHE_TTL', '5s', 0, MAX_API_KEY_CACHE_TTL);
  return {
    port: envPort(env, 'RESOURCE_PORT', 3001),
    host: envString(env, 'RESOURCE_HOST', '0.0.0.0'),
    issuer: envIssuer(env),
    internalUrl: envOptionalHttpUrl(env, 'AUTH_INTERNAL_URL'),
    audience: envString(env, 'AUTH_AUDIENCE', 'keycard'),
    dataDir: resolve(envString(env, 'DATA_DIR', './data')),
    databaseUrl: envPostgresUrl(env, 'RESOURCE_DATABASE_URL'),
    redisUrl: envRedisUrl(env, 'REDIS_URL'),
    /** The longest a Redis command waits for its answer before the request fails with 503. */
    redisTimeout: envDuration(env, 'REDIS_TIMEOUT', '1s', 0.05, 60),
    /** PostgreSQL: the longest a query runs or waits for a connection before a 503. */
    databaseTimeout: envDuration(env, 'DATABASE_TIMEOUT', '3s', 0.1, 600),
    jwksMinRefetchInterval: envDuration(env, 'JWKS_MIN_REFETCH_INTERVAL', '30s'),
    apiKeyCacheTtl,
    authClientId,
    authClientSecret,
    apiKeyRateLimit: envInt(env, 'API_KEY_RATE_LIMIT', 600, 1, MAX_API_KEY_RATE_LIMIT),
    /** When admitted API-key answers carry RateLimit-* (a 429 always does). */
    apiKeyRateLimitHeaders: envOneOf(
      env,
      'API_KEY_RATE_LIMIT_HEADERS',
      RATE_LIMIT_HEADER_POLICIES,
      'near-limit',
    ),
    /** Failed API keys a minute per client IP before 429 (0: no limit). */
    apiKeyFailureLimit: envInt(
      env,
      'API_KEY_FAILURE_LIMIT',
      DEFAULT_API_KEY_FAILURE_LIMIT,
      0,
      MAX_API_KEY_RATE_LIMIT,
    ),
    /** Key environments accepted (`live`, `test` or both); the other gets 401 invalid_api_key. */
    apiKeyEnvironments: envApiKeyEnvironments(env),
    /** Client IPs (the API-key failure limit) from `X-Forwarded-For`: only behind your own proxy. */
    trustProxy: envBool(env, 'TRUST_PROXY', false),
    /** 503 instead of verifying once revocations are more than 30 s behind (API.md section 8). */
    revocationFailClosed: envBool(env, 'REVOCATION_FAIL_CLOSED', false),
    /** LOG_LEVEL, METRICS_TOKEN, SHUTDOWN_TIMEOUT. */
    observability: loadObservabilityConfig(env),
  };
}

export type ResourceConfig = ReturnType<typeof loadResourceConfig>;

/** `@Inject(resourceConfig.KEY) config: ResourceSettings` gives the typed, validated settings. */
export const resourceConfig = registerAs('resource', () => loadResourceConfig(process.env));
export type ResourceSettings = ConfigType<typeof resourceConfig>;
