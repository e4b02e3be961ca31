import type { HttpAdapterHost } from '@nestjs/core';
import { MemoryRateLimitStore, SystemClock } from '@keycard/common';
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
  const usage =
    apiKeys.usage === false
      ? undefined
      : new ApiKeyUsageReporter({
          endpoint: `${authUrl}/api-keys/usage-reports`,
          clientId: apiKeys.clientId,
          clientSecret: apiKeys.clientSecret,
          flushIntervalSeconds: apiKeys.usage?.flushIntervalSeconds,
          timeoutMs: apiKeys.timeoutMs,
          clock,
        });
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
