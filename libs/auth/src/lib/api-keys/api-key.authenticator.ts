import {
  ApiKeyEnvironment,
  Clock,
  ErrorCode,
  hashApiKey,
  KeycardError,
  parseApiKey,
  SystemClock,
} from '@keycard/common';
import { describeError } from '../discovery';
import type { ApiKeyVerifier, RateLimitHeaderPolicy } from '../options';
import type { Principal } from '../principal';
import type { ApiKeyFailureLimiter } from './api-key-failure-limiter';
import {
  ApiKeyRateLimiter,
  apiKeyRateLimited,
  rateLimitHeaders,
  RateLimitState,
} from './api-key-rate-limiter';
import type { ApiKeyUsageReporter } from './api-key-usage.reporter';
import type { RateLimitedApiKeyVerifier, VerifiedApiKey } from './api-key-verifier';

/** Sets a response header on whatever the platform's response object is (Express or Fastify). */
export type HeaderSetter = (response: unknown, name: string, value: string) => void;

/** Keycard keys: offline format check, per-key rate limits, usage reports. */
interface RateLimitedParts {
  verifier: RateLimitedApiKeyVerifier;
  limiter: ApiKeyRateLimiter;
  usage?: ApiKeyUsageReporter;
  setHeader: HeaderSetter;
  /** Default `'near-limit'`: see `ApiKeyOptions.rateLimit.headers`. */
  rateLimitHeaders?: RateLimitHeaderPolicy;
  /** Failed keys per client IP, reserved before each introspection; absent: no such limit. */
  failures?: ApiKeyFailureLimiter;
  /** The key environments this service accepts (`ApiKeyOptions.environments`); default both. */
  environments?: readonly ApiKeyEnvironment[];
  /**
   * The clock the verifier, the limiter and the usage reporter share (default: the system clock):
   * the cached path reads it once for all three.
   */
  clock?: Clock;
}

export type ApiKeyAuthenticatorParts =
  /** Any verifier: no rate limits, no usage (the verifier knows no limits and no key ids). */
  { verifier: ApiKeyVerifier; limiter?: undefined; usage?: undefined } | RateLimitedParts;

/** Keys whose hash is remembered (see `keyHashes`). */
const KEY_HASH_MEMO_SIZE = 10_000;

function invalidApiKey(reason: string): KeycardError {
  return new KeycardError(ErrorCode.InvalidApiKey, { reason });
}

/** The expensive check of a key not cached: the guard passes the passport strategy here. */
export type UncachedKeyCheck = (
  apiKey: string,
  keyHash: string | undefined,
) => Promise<VerifiedApiKey | null>;

/**
 * The `X-API-Key` step of the guard. Keycard keys go: format, checksum and environment (offline)
 * → for a key not cached, one attempt of the client IP's failure budget (`ApiKeyFailureLimiter`)
 * → count the request in the key's window (before any introspection, under a key derived from the
 * key's hash) → verify (the cached answer, else `uncached`: the passport-headerapikey strategy, which
 * introspects through `check`) → RateLimit-* headers on the response (see `admitted`). The
 * rate-limit state spans both sides of verification, which is why these steps are not inside the
 * strategy's callback.
 */
export class ApiKeyAuthenticator {
  /**
   * Hashes of keys that passed the format check lately, by key: a busy key then costs one Map
   * lookup instead of the pattern, the CRC and a SHA-256 on every request. Bounded; cleared when
   * full. (Keys are already in this process's memory while their requests run; the introspection
   * cache and the rate-limit store still see only hashes.)
   */
  private readonly keyHashes = new Map<string, string>();
  private readonly clock: Clock;
  /** The time `authenticateNow` last read, for `recordHotUse`. */
  private hotNow = 0;

  constructor(private readonly parts: ApiKeyAuthenticatorParts) {
    this.clock = parts.limiter !== undefined && parts.clock ? parts.clock : new SystemClock();
  }

  /**
   * The common case without a promise: a key seen lately, its answer cached, counted in an
   * in-process window. Returns undefined (having counted nothing) when `authenticate` must run.
   * Same rules as `authenticate`: 429 over the limit, else RateLimit-* headers as `admitted` decides.
   * The clock is read once for the cached answer, the window and (`recordHotUse`) the usage count:
   * inside a busy server a clock read cost about as much as a Map lookup.
   */
  authenticateNow(header: unknown, response: unknown): Principal | undefined {
    const parts = this.parts;
    if (parts.limiter === undefined || typeof header !== 'string') return undefined;
    const keyHash = this.keyHashes.get(header);
    if (keyHash === undefined) return undefined;
    const now = this.clock.now();
    const verified = parts.verifier.cached(keyHash, header, now);
    if (!verified) return undefined;
    // A cached answer carries the key's current limit (what `knownRateLimit` would say).
    const known = verified.rateLimit;
    const counted = parts.limiter.hitNow(keyHash, known, now);
    if (counted === undefined) return undefined;
    this.hotNow = now;
    return this.admitted(parts, response, verified, known, counted);
  }

  /**
   * The principal of a good key; 401 invalid_api_key, 429, or 503 when it cannot be checked.
   * `clientIp`: the request's client address (`request.ip`), for the failure limit.
   */
  async authenticate(
    header: unknown,
    response: unknown,
    uncached: UncachedKeyCheck = (apiKey, keyHash) => this.check(apiKey, keyHash),
    clientIp?: string,
  ): Promise<Principal> {
    if (typeof header !== 'string' || header === '')
      throw invalidApiKey('X-API-Key is empty or repeated');
    const parts = this.parts;
    if (parts.limiter === undefined) {
      const verified = await uncached(header, undefined).catch(unavailable);
      if (!verified) throw invalidApiKey('API key not accepted');
      return verified.principal;
    }
    const keyHash = this.keyHashes.get(header) ?? this.checkFormat(header);
    // A key not cached costs an introspection: the client IP's failure budget pays for it first.
    // A cached key (good or bad) costs nothing and is not counted.
    const release =
      parts.failures !== undefined && parts.verifier.cached(keyHash) === undefined
        ? await parts.failures.reserve(clientIp)
        : undefined;
    let failed = false;
    try {
      return await this.verifyCounted(parts, header, keyHash, response, uncached);
    } catch (error) {
      failed = error instanceof KeycardError && error.code === ErrorCode.InvalidApiKey;
      throw error;
    } finally {
      // Only a key the auth-service turned down stays counted against the IP.
      if (!failed) release?.();
    }
  }

  /** The key's window, then its cached answer or `uncached`: the rest of `authenticate`. */
  private async verifyCounted(
    parts: RateLimitedParts,
    header: string,
    keyHash: string,
    response: unknown,
    uncached: UncachedKeyCheck,
  ): Promise<Principal> {
    const known = parts.verifier.knownRateLimit(keyHash);
    const counted = await parts.limiter.hit(keyHash, known);
    // A known limit is applied before verification, so an over-limit key costs no introspection.
    if (known !== undefined && counted.count > counted.limit) throw apiKeyRateLimited(counted);
    // A cached answer needs no await: the common case stays a few Map lookups.
    const cached = parts.verifier.cached(keyHash, header);
    const verified =
      cached !== undefined ? cached : await uncached(header, keyHash).catch(unavailable);
    if (!verified) throw invalidApiKey('API key not accepted');
    return this.admitted(parts, response, verified, known, counted);
  }

  /**
   * The key's window against its own limit: 429 over it; else RateLimit-* headers, on every
   * answer or (the default) once more than half the window is used. Three more response headers
   * cost a cached request about a tenth of its time, for information a caller far from its
   * limit does not need.
   */
  private admitted(
    parts: RateLimitedParts,
    response: unknown,
    verified: VerifiedApiKey,
    known: number | undefined,
    counted: RateLimitState,
  ): Principal {
    const state = known === undefined ? withLimitOf(verified, counted) : counted;
    if (state.count > state.limit) throw apiKeyRateLimited(state);
    if (parts.rateLimitHeaders !== 'always' && state.count * 2 <= state.limit)
      return verified.principal;
    const headers = rateLimitHeaders(state);
    for (const name in headers) parts.setHeader(response, name, headers[name]);
    return verified.principal;
  }

  /**
   * The hash of a well-formed key (remembered); 401 for a malformed key, a bad checksum, or a key
   * of an environment this service does not accept (a test key at a live service: it is
   * refused before any lookup, and never remembered, so the cached path never sees it).
   */
  private checkFormat(header: string): string {
    const parsed = parseApiKey(header);
    if (!parsed) throw invalidApiKey('malformed API key or bad checksum');
    const accepted = this.parts.limiter !== undefined ? this.parts.environments : undefined;
    if (accepted !== undefined && !accepted.includes(parsed.environment)) {
      throw new KeycardError(ErrorCode.InvalidApiKey, {
        message: `This service does not accept ${parsed.environment} API keys`,
        reason: `a ${parsed.environment} key; accepted: ${accepted.join(', ')}`,
      });
    }
    const keyHash = hashApiKey(header);
    if (this.keyHashes.size >= KEY_HASH_MEMO_SIZE) this.keyHashes.clear();
    this.keyHashes.set(header, keyHash);
    return keyHash;
  }

  /** Verifies a key without the cache in front (introspection for Keycard keys); no rate limit. */
  async check(apiKey: string, keyHash?: string): Promise<VerifiedApiKey | null> {
    const parts = this.parts;
    if (parts.limiter === undefined) {
      const principal = await parts.verifier.verify(apiKey);
      return principal ? { principal } : null;
    }
    return parts.verifier.check(apiKey, keyHash ?? hashApiKey(apiKey));
  }

  /** Counts an admitted request for the key's usage report (no I/O). */
  recordUse(principal: Principal): void {
    if (this.parts.usage !== undefined && principal.tokenId !== undefined)
      this.parts.usage.record(principal.tokenId);
  }

  /**
   * `recordUse` for the principal `authenticateNow` has just returned, in the same synchronous
   * step (the guard's cached path): counted at the time that call read.
   */
  recordHotUse(principal: Principal): void {
    if (this.parts.usage !== undefined && principal.tokenId !== undefined)
      this.parts.usage.record(principal.tokenId, this.hotNow || undefined);
  }

  /** The usage reporter, when reports are sent (the module starts and stops it). */
  get usage(): ApiKeyUsageReporter | undefined {
    return this.parts.usage;
  }
}

/** The key's own limit, learnt by verification, replaces the default it was counted against. */
function withLimitOf(verified: VerifiedApiKey, counted: RateLimitState): RateLimitState {
  return verified.rateLimit === undefined ? counted : { ...counted, limit: verified.rateLimit };
}

/** A verifier that fails (not the caller's fault) is a 503, never a 500 and never an accept. */
function unavailable(error: unknown): never {
  if (error instanceof KeycardError) throw error;
  throw new KeycardError(ErrorCode.Unavailable, {
    reason: `API key check failed: ${describeError(error)}`,
  });
}
