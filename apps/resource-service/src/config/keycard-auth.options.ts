import { RemoteJwksKeyResolver, type KeycardAuthOptions } from '@keycard/auth';
import type { RateLimitStore } from '@keycard/common';
import type { KeycardMetrics } from '@keycard/observability';
import type { ResourceSettings } from './resource.config';

/**
 * The shared auth module's settings from the resource-service's config. API keys are accepted only
 * when the service has its own client at the auth-service (`AUTH_CLIENT_ID` + `AUTH_CLIENT_SECRET`):
 * it needs one to introspect them. Without it, `X-API-Key` is ignored (so a request that carries
 * nothing else gets 401).
 */
export function keycardAuthOptions(
  config: ResourceSettings,
  rateLimitStore: RateLimitStore,
  metrics: KeycardMetrics,
): KeycardAuthOptions {
  const options: KeycardAuthOptions = {
    issuer: config.issuer,
    audience: config.audience,
    // The module's default resolver, built here so that JWKS downloads are counted.
    keyResolver: new RemoteJwksKeyResolver({
      issuer: config.issuer,
      internalUrl: config.internalUrl,
      minRefetchIntervalSeconds: config.jwksMinRefetchInterval,
      onFetch: (outcome) => metrics.jwksFetches.inc({ outcome }),
    }),
    // Revocations arrive on Redis when it is configured, else on the auth-service's stream.
    revocation: {
      redisUrl: config.redisUrl,
      failClosed: config.revocationFailClosed,
      metricsRegistry: metrics.registry,
    },
  };
  if (config.authClientId === undefined || config.authClientSecret === undefined) return options;
  return {
    ...options,
    apiKeys: {
      clientId: config.authClientId,
      clientSecret: config.authClientSecret,
      cacheTtlSeconds: config.apiKeyCacheTtl,
      rateLimit: {
        store: rateLimitStore,
        defaultPerMinute: config.apiKeyRateLimit,
        headers: config.apiKeyRateLimitHeaders,
        failuresPerIp: config.apiKeyFailureLimit,
      },
      environments: config.apiKeyEnvironments,
    },
  };
}
