import type { HttpAdapterHost } from '@nestjs/core';
import type { Clock } from '@keycard/common';
import { MemoryRateLimitStore, SystemClock } from '@keycard/common';
import { Gauge, type Registry } from 'prom-client';
import { trimSlash } from '../discovery';
import type { ApiKeyOptions, ResolvedKeycardAuthOptions } from '../options';
import { API_KEY_ENVIRONMENTS } from '../options';
import { ApiKeyFailureLimiter, DEFAULT_API_KEY_FAILURE_LIMIT } from './api-key-failure-limiter';
import { ApiKeyRateLimiter } from './api-key-rate-limiter';
import { ApiKeyUsageReporter } from './api-key-usage.reporter';
import type { ApiKeyAuthenticator, HeaderSetter } from './api-key.authenticator';
import { KeycardApiKeyAuthenticator } from './api-key.authenticator';
import { IntrospectionApiKeyVerifier } from './introspection-api-key.verifier';
import { VerifierApiKeyAuthenticator } from './verifier-api-key.authenticator';

/** Injection token of the guard's `ApiKeyAuthenticator` (`null` when API keys are not accepted). */
export const KEYCARD_API_KEYS = Symbol('KEYCARD_API_KEYS');

function headerSetter(host: HttpAdapterHost): HeaderSetter {
  // Read the adapter per call: it is attached once the app is created, after the providers.
  return (response, name, value) => host.httpAdapter.setHeader(response, name, value);
}

function keycardApiKeys(
  options: ResolvedKeycardAuthOptions,
  apiKeys: ApiKeyOptions,
  host: HttpAdapterHost,
): ApiKeyAuthenticator {
  const store = apiKeys.rateLimit?.store ?? new MemoryRateLimitStore(new SystemClock());
  // One clock for every part: an in-process store's own (it times the windows `hitNow` counts in
  // at the time the guard read), else the system's.
  const clock = store instanceof MemoryRateLimitStore ? store.clock : new SystemClock();
  const authUrl = trimSlash(options.internalUrl ?? options.issuer);
  const verifier = new IntrospectionApiKeyVerifier({
    issuer: options.issuer,
    internalUrl: options.internalUrl,
    clientId: apiKeys.clientId,
    clientSecret: apiKeys.clientSecret,
    cacheTtlSeconds: apiKeys.cacheTtlSeconds,
    cacheMaxEntries: apiKeys.cacheMaxEntries,
    timeoutMs: apiKeys.timeoutMs,
    clock,
  });
  const limiter = new ApiKeyRateLimiter(store, apiKeys.rateLimit?.defaultPerMinute, clock);
  const failuresPerIp = apiKeys.rateLimit?.failuresPerIp ?? DEFAULT_API_KEY_FAILURE_LIMIT;
  const failures =
    failuresPerIp > 0 ? new ApiKeyFailureLimiter(store, failuresPerIp, clock) : undefined;
  const usage = apiKeys.usage === false ? undefined : usageReporter(authUrl, apiKeys, clock);
  return new KeycardApiKeyAuthenticator({
    verifier,
    limiter,
    usage,
    setHeader: headerSetter(host),
    rateLimitHeaders: apiKeys.rateLimit?.headers ?? 'near-limit',
    failures,
    environments: apiKeys.environments ?? API_KEY_ENVIRONMENTS,
    clock,
  });
}

function usageReporter(authUrl: string, apiKeys: ApiKeyOptions, clock: Clock): ApiKeyUsageReporter {
  const settings = apiKeys.usage === false ? undefined : apiKeys.usage;
  const reporter = new ApiKeyUsageReporter({
    endpoint: `${authUrl}/api-keys/usage-reports`,
    clientId: apiKeys.clientId,
    clientSecret: apiKeys.clientSecret,
    flushIntervalSeconds: settings?.flushIntervalSeconds,
    timeoutMs: apiKeys.timeoutMs,
    clock,
  });
  if (settings?.metricsRegistry) registerPendingGauge(settings.metricsRegistry, reporter);
  return reporter;
}

/**
 * `keycard_api_key_usage_pending`: report lines (one per key and UTC day) not yet taken by the
 * auth-service. It grows while the auth-service is away (at most the reporter's bound) and falls
 * back at the first flush it accepts.
 */
function registerPendingGauge(registry: Registry, reporter: ApiKeyUsageReporter): void {
  if (registry.getSingleMetric('keycard_api_key_usage_pending') !== undefined) return;
  new Gauge({
    name: 'keycard_api_key_usage_pending',
    help: 'API-key usage report lines (one per key and UTC day) waiting to reach the auth-service.',
    registers: [registry],
    collect() {
      this.set(reporter.pendingLines);
    },
  });
}

/** What the module provides under `KEYCARD_API_KEYS`, from the validated options. */
export function createApiKeyAuthenticator(
  options: ResolvedKeycardAuthOptions,
  host: HttpAdapterHost,
): ApiKeyAuthenticator | null {
  if (options.apiKeys !== undefined) return keycardApiKeys(options, options.apiKeys, host);
  if (options.apiKeyVerifier !== undefined)
    return new VerifierApiKeyAuthenticator(options.apiKeyVerifier);
  return null;
}
