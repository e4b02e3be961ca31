import type { ApiKeyEnvironment, RateLimitStore } from '@keycard/common';
import type { KeyObject } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { Principal } from './principal';
import type { RevocationOptions } from './revocation/revocation-setup';

/** Finds the public key for a `kid`; `undefined` means "unknown key" (the token is refused). */
export interface KeyResolver {
  getKey(kid: string): Promise<KeyObject | undefined>;
  /** Called with the kids that left the key set, so verified tokens signed by them are forgotten. */
  onKeysRemoved?(listener: (kids: string[]) => void): void;
}

/** Checks an `X-API-Key` value; `null` means the key is not valid. */
export interface ApiKeyVerifier {
  verify(apiKey: string): Promise<Principal | null>;
}

/**
 * Keycard API keys (`X-API-Key`), checked by the auth-service's introspection endpoint with this
 * service's client credentials, rate-limited per key and reported for usage.
 */
export interface ApiKeyOptions {
  /** This service's registered client at the auth-service (`AUTH_CLIENT_ID`). */
  clientId: string;
  /** `AUTH_CLIENT_SECRET`. */
  clientSecret: string;
  /** How long an introspection answer is reused (`API_KEY_CACHE_TTL`); default 5, at most 300. */
  cacheTtlSeconds?: number;
  /** Bound of the answer cache; default 10000. */
  cacheMaxEntries?: number;
  /** Per request to the auth-service; default 5000. */
  timeoutMs?: number;
  rateLimit?: {
    /** Default: in process (`MemoryRateLimitStore`); a `RedisRateLimitStore` shares limits across instances. */
    store?: RateLimitStore;
    /** Requests a minute for keys without their own limit (`API_KEY_RATE_LIMIT`); default 600. */
    defaultPerMinute?: number;
    /**
     * When an admitted request's answer carries `RateLimit-Limit`, `-Remaining` and `-Reset`
     * (`API_KEY_RATE_LIMIT_HEADERS`): `'near-limit'` (default) once more than half of the key's
     * window is used, `'always'` on every answer. A 429 always carries them with `Retry-After`.
     */
    headers?: RateLimitHeaderPolicy;
    /**
     * Failed keys a minute from one client IP (`API_KEY_FAILURE_LIMIT`; an IPv6 /64 counts as
     * one), counted in `store`: past it, that IP's keys that are not cached get 429 with
     * `Retry-After` before any introspection. Default 20; 0 turns the limit off. The IP is the
     * platform's `request.ip`, so it follows the app's trust-proxy setting.
     */
    failuresPerIp?: number;
  };
  /**
   * The key environments this service accepts (`API_KEY_ENVIRONMENTS`); default both. A key of
   * another environment (its `sk_test_` / `sk_live_` prefix) gets 401 `invalid_api_key` before any
   * lookup: `['live']` keeps test keys away from live data.
   */
  environments?: readonly ApiKeyEnvironment[];
  /**
   * Usage reports to the auth-service; `false` turns them off. Default every 10 s. With
   * `metricsRegistry` (e.g. `KeycardMetrics.registry`), `keycard_api_key_usage_pending` there
   * says how many report lines wait to be sent.
   */
  usage?: { flushIntervalSeconds?: number; metricsRegistry?: Registry } | false;
}

/** See `ApiKeyOptions.rateLimit.headers`. */
export type RateLimitHeaderPolicy = 'always' | 'near-limit';
export const RATE_LIMIT_HEADER_POLICIES: readonly RateLimitHeaderPolicy[] = [
  'always',
  'near-limit',
];

/** Another way to authenticate (e.g. a session cookie), tried when no bearer token and no API key was sent. */
export interface CredentialAuthenticator {
  authenticate(request: unknown): Promise<Principal | null>;
}

/**
 * Turns the principal of a verified bearer token into the caller as they stand now (e.g. roles
 * read from the issuer's database); `null` refuses the token with 401 `invalid_token`.
 */
export type PrincipalRefresher = (principal: Principal) => Promise<Principal | null>;

export interface KeycardAuthOptions {
  /** Expected `iss`. */
  issuer: string;
  /** Expected `aud` (the token's `aud` must include it). */
  audience: string;
  /** Only `['RS256']`; anything else is refused at module init. */
  algorithms?: ['RS256'];
  /** Clock leeway for `exp`/`nbf`; default 30, at most 30. */
  clockToleranceSeconds?: number;
  /** Default: a `RemoteJwksKeyResolver` on the issuer's discovery document. */
  keyResolver?: KeyResolver;
  /** Base URL used to reach the issuer when its public URL is not reachable (`AUTH_INTERNAL_URL`). */
  internalUrl?: string;
  /** Cooldown between refetches triggered by an unknown `kid`; default 30. */
  jwksMinRefetchIntervalSeconds?: number;
  /** Bound of the verified-token cache; default 10000; 0 disables it. */
  tokenCacheMaxEntries?: number;
  /**
   * `X-API-Key` is accepted only when this or `apiKeys` is set. A custom verifier gets no rate
   * limits and no usage reports; use `apiKeys` for Keycard keys.
   */
  apiKeyVerifier?: ApiKeyVerifier;
  /** Keycard API keys through the auth-service (builds the verifier, rate limiter and reporter). */
  apiKeys?: ApiKeyOptions;
  fallbackAuthenticators?: CredentialAuthenticator[];
  /**
   * Run on every request with a bearer token, after it verified (also when it comes from the
   * verified-token cache, whose principal is never replaced). For the issuer itself, which can
   * read its users and logins; a resource service leaves it unset and trusts the token's claims.
   */
  refreshPrincipal?: PrincipalRefresher;
  /**
   * Following the auth-service's revocations (on by default when the service has client
   * credentials, see `RevocationOptions`); `false` turns it off.
   */
  revocation?: RevocationOptions | false;
  /**
   * `MFA_REQUIRED_ROLES`: routes guarded by these roles accept only a sign-in with a second factor
   * (`amr` has `mfa`); otherwise 401 `insufficient_user_authentication` (RFC 9470).
   */
  mfaRequiredRoles?: string[];
}

/** Injection token of the validated options (defaults filled in). */
export const KEYCARD_AUTH_OPTIONS = Symbol('KEYCARD_AUTH_OPTIONS');
/** Injection token of the key resolver in use. */
export const KEYCARD_KEY_RESOLVER = Symbol('KEYCARD_KEY_RESOLVER');

export interface ResolvedKeycardAuthOptions {
  issuer: string;
  audience: string;
  algorithms: ['RS256'];
  clockToleranceSeconds: number;
  keyResolver?: KeyResolver;
  internalUrl?: string;
  jwksMinRefetchIntervalSeconds: number;
  tokenCacheMaxEntries: number;
  apiKeyVerifier?: ApiKeyVerifier;
  apiKeys?: ApiKeyOptions;
  fallbackAuthenticators: CredentialAuthenticator[];
  refreshPrincipal?: PrincipalRefresher;
  revocation?: RevocationOptions | false;
  mfaRequiredRoles: string[];
}

export const MAX_API_KEY_CACHE_TTL_SECONDS = 300;

export const MAX_CLOCK_TOLERANCE_SECONDS = 30;

function fail(problem: string): never {
  throw new Error(`KeycardAuthModule: ${problem}`);
}

function wholeNumber(
  value: number | undefined,
  fallback: number,
  name: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || value > max)
    fail(`${name} must be between 0 and ${max}`);
  return value;
}

/** Validates the options once at start-up, so a weak configuration never serves a request. */
export function resolveAuthOptions(options: KeycardAuthOptions): ResolvedKeycardAuthOptions {
  if (!options.issuer) fail('issuer is required');
  if (!options.audience) fail('audience is required');
  const algorithms: readonly string[] = options.algorithms ?? ['RS256'];
  if (algorithms.length !== 1 || algorithms[0] !== 'RS256')
    fail("algorithms must be exactly ['RS256']");
  if (options.apiKeys !== undefined) checkApiKeyOptions(options);
  if (options.refreshPrincipal !== undefined && typeof options.refreshPrincipal !== 'function')
    fail('refreshPrincipal must be a function');
  return {
    ...options,
    algorithms: ['RS256'],
    clockToleranceSeconds: wholeNumber(
      options.clockToleranceSeconds,
      MAX_CLOCK_TOLERANCE_SECONDS,
      'clockToleranceSeconds',
      MAX_CLOCK_TOLERANCE_SECONDS,
    ),
    jwksMinRefetchIntervalSeconds: wholeNumber(
      options.jwksMinRefetchIntervalSeconds,
      30,
      'jwksMinRefetchIntervalSeconds',
    ),
    tokenCacheMaxEntries: Math.floor(
      wholeNumber(options.tokenCacheMaxEntries, 10_000, 'tokenCacheMaxEntries'),
    ),
    fallbackAuthenticators: options.fallbackAuthenticators ?? [],
    mfaRequiredRoles: options.mfaRequiredRoles ?? [],
  };
}

function checkApiKeyOptions(options: KeycardAuthOptions): void {
  const apiKeys = options.apiKeys as ApiKeyOptions;
  if (options.apiKeyVerifier !== undefined) fail('give either apiKeyVerifier or apiKeys, not both');
  if (!apiKeys.clientId || !apiKeys.clientSecret)
    fail('apiKeys needs clientId and clientSecret (AUTH_CLIENT_ID / AUTH_CLIENT_SECRET)');
  wholeNumber(apiKeys.cacheTtlSeconds, 5, 'apiKeys.cacheTtlSeconds', MAX_API_KEY_CACHE_TTL_SECONDS);
  wholeNumber(apiKeys.cacheMaxEntries, 10_000, 'apiKeys.cacheMaxEntries');
  positive(apiKeys.timeoutMs, 'apiKeys.timeoutMs');
  positive(apiKeys.rateLimit?.defaultPerMinute, 'apiKeys.rateLimit.defaultPerMinute');
  const headers = apiKeys.rateLimit?.headers;
  if (headers !== undefined && !RATE_LIMIT_HEADER_POLICIES.includes(headers))
    fail(`apiKeys.rateLimit.headers must be one of ${RATE_LIMIT_HEADER_POLICIES.join(', ')}`);
  if (apiKeys.usage)
    positive(apiKeys.usage.flushIntervalSeconds, 'apiKeys.usage.flushIntervalSeconds');
  const failures = apiKeys.rateLimit?.failuresPerIp;
  if (failures !== undefined && (!Number.isInteger(failures) || failures < 0))
    fail('apiKeys.rateLimit.failuresPerIp must be a whole number of at least 0');
  const environments = apiKeys.environments;
  if (
    environments !== undefined &&
    (environments.length === 0 || !environments.every((env) => API_KEY_ENVIRONMENTS.includes(env)))
  )
    fail(`apiKeys.environments must list one or both of ${API_KEY_ENVIRONMENTS.join(', ')}`);
}

/** Every API-key environment, the default of `ApiKeyOptions.environments`. */
export const API_KEY_ENVIRONMENTS: readonly ApiKeyEnvironment[] = ['live', 'test'];

function positive(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1))
    fail(`${name} must be a whole number of at least 1`);
}
