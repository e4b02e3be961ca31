import type { Env } from '@keycard/common';
import {
  ConfigError,
  envBool,
  envDuration,
  envIssuer,
  envInt,
  envList,
  envOptional,
  envPort,
  envPostgresUrl,
  envRedisUrl,
  envString,
} from '@keycard/common';
import { loadObservabilityConfig } from '@keycard/observability';
import { resolve } from 'node:path';

/** Longest `CLIENT_CACHE_TTL`: a revoked client must stop getting tokens soon. */
export const MAX_CLIENT_CACHE_TTL = 300;

/**
 * The settings every part of the auth-service shares, parsed and validated once (durations are
 * in seconds). A feature's own settings are parsed by the feature (`account/account-settings.ts`,
 * `google/`, `mail/`, `mfa/`, `retention/`, `users/bootstrap-admin-settings.ts`) and composed with these at
 * the root (`app/settings.ts`).
 */
export function loadAuthConfig(env: Env) {
  const keysEncryptionSecret = envOptional(env, 'KEYS_ENCRYPTION_SECRET');
  if (keysEncryptionSecret !== undefined && keysEncryptionSecret.length < 32) {
    throw new ConfigError('KEYS_ENCRYPTION_SECRET', 'must be at least 32 characters');
  }
  const jwksMaxAge = envDuration(env, 'JWKS_MAX_AGE', '300s');
  const accessTokenTtl = envDuration(env, 'ACCESS_TOKEN_TTL', '15m', 10);
  const issuer = envIssuer(env);
  return {
    port: envPort(env, 'AUTH_PORT', 3000),
    host: envString(env, 'AUTH_HOST', '0.0.0.0'),
    issuer,
    audience: envString(env, 'AUTH_AUDIENCE', 'keycard'),
    dataDir: resolve(envString(env, 'DATA_DIR', './data')),
    databaseUrl: envPostgresUrl(env, 'DATABASE_URL'),
    redisUrl: envRedisUrl(env, 'REDIS_URL'),
    /** The longest a Redis command waits for its answer before the request fails with 503. */
    redisTimeout: envDuration(env, 'REDIS_TIMEOUT', '1s', 0.05, 60),
    /** PostgreSQL: the longest a query runs or waits for a connection before a 503. */
    databaseTimeout: envDuration(env, 'DATABASE_TIMEOUT', '3s', 0.1, 600),
    bootstrapClients: envString(env, 'BOOTSTRAP_CLIENTS', ''),
    /** How long a client row is reused for secret checks; other instances see a revocation within it. */
    clientCacheTtl: envDuration(env, 'CLIENT_CACHE_TTL', '5s', 0, MAX_CLIENT_CACHE_TTL),
    accessTokenTtl,
    refreshTokenTtl: envDuration(env, 'REFRESH_TOKEN_TTL', '7d', 60),
    refreshReuseInterval: envDuration(env, 'REFRESH_REUSE_INTERVAL', '10s'),
    jwksMaxAge,
    keyRotationInterval: envDuration(env, 'KEY_ROTATION_INTERVAL', '30d', 60),
    keysEncryptionSecret,
    loginMaxFailures: envInt(env, 'LOGIN_MAX_FAILURES', 5, 1),
    loginMaxFailuresPerIp: envInt(env, 'LOGIN_MAX_FAILURES_PER_IP', 50, 1),
    loginLockout: envDuration(env, 'LOGIN_LOCKOUT', '15m', 1),
    /**
     * `REQUIRE_VERIFIED_EMAIL`: an unverified address cannot sign in (403 `email_not_verified`),
     * by password or by a second factor.
     */
    requireVerifiedEmail: envBool(env, 'REQUIRE_VERIFIED_EMAIL', false),
    trustProxy: envBool(env, 'TRUST_PROXY', false),
    // Browser sessions (sessions/): cookie flags, idle timeout and absolute lifetime.
    cookieSecure: envBool(env, 'COOKIE_SECURE', true),
    sessionIdleTtl: envDuration(env, 'SESSION_IDLE_TTL', '30m', 60),
    sessionTtl: envDuration(env, 'SESSION_TTL', '24h', 60),
    /** Shows "Sign in with Google" on /login; the flow itself lives in the Google module. */
    googleClientId: envOptional(env, 'GOOGLE_CLIENT_ID'),
    /** `GET /auth/google` starts a minute per client IP. */
    googleStartRateLimit: envInt(env, 'GOOGLE_START_RATE_LIMIT', 600, 1, 100000),
    /** `POST /auth/register` calls an hour per client IP (an IPv6 /64 counts as one). */
    registerRateLimit: envInt(env, 'REGISTER_RATE_LIMIT', 10, 1, 100000),
    apiKeyRateLimit: envInt(env, 'API_KEY_RATE_LIMIT', 600, 1, 100000),
    apiKeyScopes: envList(env, 'API_KEY_SCOPES'),
    /** LOG_LEVEL, METRICS_TOKEN, SHUTDOWN_DRAIN, SHUTDOWN_TIMEOUT. */
    observability: loadObservabilityConfig(env),
  };
}

export type AuthSettings = ReturnType<typeof loadAuthConfig>;

/**
 * `@Inject(authConfig.KEY) config: AuthSettings` gives the typed, validated shared settings. The
 * root provides them (`app/settings.module.ts`), with each feature's own settings beside them.
 */
export const authConfig = { KEY: 'CONFIGURATION(auth)' } as const;
