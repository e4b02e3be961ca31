import type { Env, RateLimitStore } from '@keycard/common';
import {
  ConfigError,
  envBool,
  envDuration,
  envInt,
  envIssuer,
  envList,
  envOneOf,
  envOptional,
  envOptionalHttpUrl,
  envString,
} from '@keycard/common';
import type { Registry } from 'prom-client';
import { DEFAULT_API_KEY_FAILURE_LIMIT } from '../api-keys/api-key-failure-limiter';
import { envApiKeyEnvironments } from '../api-keys/api-key-environments';
import {
  MAX_API_KEY_CACHE_TTL_SECONDS,
  RATE_LIMIT_HEADER_POLICIES,
  type KeycardAuthOptions,
} from '../options';
import { RemoteJwksKeyResolver, type JwksFetchOutcome } from '../remote-jwks.key-resolver';

/** Highest `API_KEY_RATE_LIMIT`, the same bound as a key's own limit at the auth-service. */
export const MAX_API_KEY_RATE_LIMIT = 100_000;

function clientCredentials(env: Env): { authClientId?: string; authClientSecret?: string } {
  const authClientId = envOptional(env, 'AUTH_CLIENT_ID');
  const authClientSecret = envOptional(env, 'AUTH_CLIENT_SECRET');
  if (authClientId !== undefined && authClientSecret === undefined) {
    throw new ConfigError('AUTH_CLIENT_SECRET', 'is required when AUTH_CLIENT_ID is set');
  }
  if (authClientSecret !== undefined && authClientId === undefined) {
    throw new ConfigError('AUTH_CLIENT_ID', 'is required when AUTH_CLIENT_SECRET is set');
  }
  return { authClientId, authClientSecret };
}

/**
 * The settings with which every Keycard resource service verifies its callers, parsed and
 * validated once (durations in seconds): `AUTH_ISSUER`, `AUTH_INTERNAL_URL`, `AUTH_AUDIENCE`
 * (default `audience`), `JWKS_MIN_REFETCH_INTERVAL`, the service's own client at the auth-service
 * (`AUTH_CLIENT_ID` + `AUTH_CLIENT_SECRET`, both or neither), the `API_KEY_*` limits,
 * `REVOCATION_FAIL_CLOSED` and `MFA_REQUIRED_ROLES`. A service spreads them into its config.
 */
export function loadServiceAuthSettings(env: Env, audience = 'keycard') {
  return {
    issuer: envIssuer(env),
    internalUrl: envOptionalHttpUrl(env, 'AUTH_INTERNAL_URL'),
    audience: envString(env, 'AUTH_AUDIENCE', audience),
    jwksMinRefetchInterval: envDuration(env, 'JWKS_MIN_REFETCH_INTERVAL', '30s'),
    ...clientCredentials(env),
    /** How long an introspected API key is trusted before it is asked about again. */
    apiKeyCacheTtl: envDuration(env, 'API_KEY_CACHE_TTL', '5s', 0, MAX_API_KEY_CACHE_TTL_SECONDS),
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
    /** 503 instead of verifying once revocations are more than 30 s behind (API.md section 8). */
    revocationFailClosed: envBool(env, 'REVOCATION_FAIL_CLOSED', false),
    /** Routes of these roles accept only a sign-in with a second factor (API.md section 7). */
    mfaRequiredRoles: envList(env, 'MFA_REQUIRED_ROLES'),
  };
}

export type ServiceAuthSettings = ReturnType<typeof loadServiceAuthSettings>;

/** What of a service's metrics the auth module feeds (`KeycardMetrics` of @keycard/observability). */
export interface ServiceAuthMetrics {
  jwksFetches: { inc(labels: { outcome: JwksFetchOutcome }): void };
  registry: Registry;
}

export interface ServiceAuthDependencies {
  metrics: ServiceAuthMetrics;
  /** Where API-key limits are counted; without it the service accepts bearer tokens only. */
  rateLimitStore?: RateLimitStore;
  /** `REDIS_URL`: revocations arrive on Redis; without it, on the auth-service's stream. */
  redisUrl?: string;
}

/**
 * `KeycardAuthModule` options from a service's settings: bearer tokens verified with the issuer's
 * JWKS (downloads counted), revocations followed, and API keys when the service has its own client
 * at the auth-service (it needs one to introspect them) and a rate-limit store. Without a client,
 * `X-API-Key` is ignored, so a request that carries nothing else gets 401.
 */
export function serviceAuthOptions(
  settings: ServiceAuthSettings,
  { metrics, rateLimitStore, redisUrl }: ServiceAuthDependencies,
): KeycardAuthOptions {
  const options: KeycardAuthOptions = {
    issuer: settings.issuer,
    audience: settings.audience,
    mfaRequiredRoles: settings.mfaRequiredRoles,
    // The module's default resolver, built here so that JWKS downloads are counted.
    keyResolver: new RemoteJwksKeyResolver({
      issuer: settings.issuer,
      internalUrl: settings.internalUrl,
      minRefetchIntervalSeconds: settings.jwksMinRefetchInterval,
      onFetch: (outcome) => metrics.jwksFetches.inc({ outcome }),
    }),
    revocation: {
      redisUrl,
      failClosed: settings.revocationFailClosed,
      clientId: settings.authClientId,
      clientSecret: settings.authClientSecret,
      metricsRegistry: metrics.registry,
    },
  };
  const { authClientId: clientId, authClientSecret: clientSecret } = settings;
  if (clientId === undefined || clientSecret === undefined || !rateLimitStore) return options;
  return {
    ...options,
    apiKeys: {
      clientId,
      clientSecret,
      cacheTtlSeconds: settings.apiKeyCacheTtl,
      rateLimit: {
        store: rateLimitStore,
        defaultPerMinute: settings.apiKeyRateLimit,
        headers: settings.apiKeyRateLimitHeaders,
        failuresPerIp: settings.apiKeyFailureLimit,
      },
      environments: settings.apiKeyEnvironments,
      usage: { metricsRegistry: metrics.registry },
    },
  };
}
