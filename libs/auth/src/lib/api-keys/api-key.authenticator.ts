import type { ApiKeyEnvironment, Clock } from '@keycard/common';
import { ErrorCode, hashApiKey, KeycardError, parseApiKey, SystemClock } from '@keycard/common';
import type { RateLimitHeaderPolicy } from '../options';
import type { Principal } from '../principal';
import type { ApiKeyFailureLimiter } from './api-key-failure-limiter';
import type { ApiKeyRateLimiter, RateLimitState } from './api-key-rate-limiter';
import { apiKeyRateLimited, rateLimitHeaders } from './api-key-rate-limiter';
import type { ApiKeyUsageReporter } from './api-key-usage.reporter';
import type { VerifiedApiKey } from './api-key-verifier';
import { invalidApiKey, unavailable } from './api-key-errors';
import type { IntrospectionApiKeyVerifier } from './introspection-api-key.verifier';

/** The request as the failure limit sees it: who is asking (`request.ip`). */
export interface ClientAddress {
  readonly ip?: string;
}

/** Sets a response header on whatever the platform's response object is (Express or Fastify). */
export type HeaderSetter = (response: unknown, name: string, value: string) => void;

/**
 * The `X-API-Key` step of `KeycardAuthGuard`. The guard reads `clock` once per request and hands
 * that time to both calls, so every part of one request sees the same instant.
 */
export interface ApiKeyAuthenticator {
  readonly clock: Clock;
  /**
   * The principal of a good key (at once when `authenticate` can decide without I/O, else a
   * promise); 401 invalid_api_key, 429, or 503 when the key cannot be checked. `header`: the
   * header as the platform gives it; `response`: for RateLimit-* headers; `client`: the request,
   * whose `ip` is read for the failure limit only when the key is not cached (a getter on both
   * platforms, not free on the hot path).
   */
  authenticate(
    header: unknown,
    response: unknown,
    client: ClientAddress,
    now: number,
  ): Principal | Promise<Principal>;
  /** Counts a request the guard admitted (roles and scopes passed) for usage reports; no I/O. */
  recordUse(principal: Principal, now: number): void;
  /**
   * Drops the cached answers of the keys whose principal `matches` (keys the auth-service revoked),
   * so their next request asks it again; returns how many went.
   */
  forget(matches: (principal: Principal) => boolean): number;
  /** The usage reporter, when reports are sent (the module starts and stops it). */
  readonly usage?: ApiKeyUsageReporter;
}

/** What `KeycardApiKeyAuthenticator` is made of (see `createApiKeyAuthenticator`). */
export interface KeycardApiKeyParts {
  verifier: IntrospectionApiKeyVerifier;
  limiter: ApiKeyRateLimiter;
  usage?: ApiKeyUsageReporter;
  setHeader: HeaderSetter;
  /** Default `'near-limit'`: see `ApiKeyOptions.rateLimit.headers`. */
  rateLimitHeaders?: RateLimitHeaderPolicy;
  /** Failed keys per client IP, reserved before each introspection; absent: no such limit. */
  failures?: ApiKeyFailureLimiter;
  /** The key environments this service accepts (`ApiKeyOptions.environments`); default both. */
  environments?: readonly ApiKeyEnvironment[];
  /** The clock the verifier, the limiter and the usage reporter keep; default the system's. */
  clock?: Clock;
}

/**
 * Keycard keys, in this order: the key's SHA-256 → its cached answer (`cachedAnswer`) → for a
 * key not cached: format, checksum and environment (offline), then one attempt of the client
 * IP's failure budget → the request counted in the key's window (before any introspection, under
 * a key derived from the hash) → the answer (cached, else introspection) → 429 over the key's
 * limit, else RateLimit-* headers as `admitted` decides.
 *
 * The common case (a valid cached answer, counted by an in-process store) is answered without a
 * promise, as a cached bearer token is; everything else takes the same steps with awaits.
 */
export class KeycardApiKeyAuthenticator implements ApiKeyAuthenticator {
  readonly clock: Clock;

  constructor(private readonly parts: KeycardApiKeyParts) {
    this.clock = parts.clock ?? new SystemClock();
  }

  get usage(): ApiKeyUsageReporter | undefined {
    return this.parts.usage;
  }

  authenticate(
    header: unknown,
    response: unknown,
    client: ClientAddress,
    now: number,
  ): Principal | Promise<Principal> {
    if (typeof header !== 'string' || header === '')
      throw invalidApiKey('X-API-Key is empty or repeated');
    const keyHash = hashApiKey(header);
    const cached = this.cachedAnswer(header, keyHash, now);
    if (cached) {
      const counted = this.parts.limiter.hitNow(keyHash, cached.rateLimit, now);
      if (counted !== undefined) return this.admitted(response, cached, counted);
    }
    return this.authenticateCounted(header, keyHash, cached === undefined, response, client);
  }

  recordUse(principal: Principal, now: number): void {
    if (this.parts.usage !== undefined && principal.tokenId !== undefined)
      this.parts.usage.record(principal.tokenId, now);
  }

  forget(matches: (principal: Principal) => boolean): number {
    return this.parts.verifier.forget(
      (_hash, principal) => principal !== undefined && matches(principal),
    );
  }

  /**
   * The one read of a cached answer, on every path: the verifier's answer (the key, null for a
   * known-bad key, undefined when not cached), its background re-check started when it is due.
   * Only keys that passed `checkFormat` are ever introspected, so an answer found here needs no
   * second parse.
   */
  private cachedAnswer(
    header: string,
    keyHash: string,
    now: number,
  ): VerifiedApiKey | null | undefined {
    const verifier = this.parts.verifier;
    const answer = verifier.cached(keyHash, now);
    if (answer) void verifier.refreshIfDue(header, keyHash, now);
    return answer;
  }

  /**
   * `authenticate` for a key not cached, known bad, or counted in a shared store (Redis). A key
   * not cached costs an introspection: its format is checked and the client IP's failure budget
   * pays first. Only a key the auth-service turned down stays counted against the IP.
   */
  private async authenticateCounted(
    header: string,
    keyHash: string,
    uncached: boolean,
    response: unknown,
    client: ClientAddress,
  ): Promise<Principal> {
    if (uncached) this.checkFormat(header);
    const release = uncached ? await this.parts.failures?.reserve(client.ip) : undefined;
    let failed = false;
    try {
      return await this.countAndVerify(header, keyHash, response);
    } catch (error) {
      failed = error instanceof KeycardError && error.code === ErrorCode.InvalidApiKey;
      throw error;
    } finally {
      if (!failed) release?.();
    }
  }

  /** The key's window, then its answer (cached, else introspection), then `admitted`. */
  private async countAndVerify(
    header: string,
    keyHash: string,
    response: unknown,
  ): Promise<Principal> {
    const { verifier, limiter } = this.parts;
    const known = verifier.knownRateLimit(keyHash);
    const counted = await limiter.hit(keyHash, known);
    // A known limit is applied before verification, so an over-limit key costs no introspection.
    if (known !== undefined && counted.count > counted.limit) throw apiKeyRateLimited(counted);
    const verified =
      this.cachedAnswer(header, keyHash, this.clock.now()) ??
      (await verifier.check(header, keyHash).catch(unavailable));
    if (!verified) throw invalidApiKey('API key not accepted');
    // A limit first learnt from this answer replaces the default the request was counted against.
    const state =
      known === undefined && verified.rateLimit !== undefined
        ? { ...counted, limit: verified.rateLimit }
        : counted;
    return this.admitted(response, verified, state);
  }

  /**
   * The key's window against its own limit: 429 over it; else RateLimit-* headers, on every
   * answer or (the default) once more than half the window is used: a caller far from its limit
   * does not need them, and each header costs every request a little.
   */
  private admitted(response: unknown, verified: VerifiedApiKey, state: RateLimitState): Principal {
    if (state.count > state.limit) throw apiKeyRateLimited(state);
    if (this.parts.rateLimitHeaders !== 'always' && state.count * 2 <= state.limit)
      return verified.principal;
    const headers = rateLimitHeaders(state);
    for (const name in headers) this.parts.setHeader(response, name, headers[name]);
    return verified.principal;
  }

  /**
   * 401 for a malformed key, a bad checksum, or a key of an environment this service does not
   * accept (a test key at a live service: refused before any lookup, so it is never cached).
   */
  private checkFormat(header: string): void {
    const parsed = parseApiKey(header);
    if (!parsed) throw invalidApiKey('malformed API key or bad checksum');
    const accepted = this.parts.environments;
    if (accepted !== undefined && !accepted.includes(parsed.environment)) {
      throw new KeycardError(ErrorCode.InvalidApiKey, {
        message: `This service does not accept ${parsed.environment} API keys`,
        reason: `a ${parsed.environment} key; accepted: ${accepted.join(', ')}`,
      });
    }
  }
}
