import { Logger } from '@nestjs/common';
import type { Clock } from '@keycard/common';
import { ErrorCode, hashApiKey, KeycardError, parseApiKey, SystemClock } from '@keycard/common';
import { BoundedCache } from '../bounded-cache';
import { describeError, discoverEndpoint, postForm, trimSlash } from '../discovery';
import type { ApiKeyVerifier } from '../options';
import type { Principal } from '../principal';
import type { VerifiedApiKey } from './api-key-verifier';
import { basicAuthorization } from './basic-auth';
import { toVerifiedApiKey } from './introspection-answer';

export interface IntrospectionApiKeyVerifierOptions {
  /** The auth-service's issuer; its discovery document names `introspection_endpoint`. */
  issuer: string;
  /** When set, the address actually called (`AUTH_INTERNAL_URL`); rewrites the endpoint's origin. */
  internalUrl?: string;
  /** This service's registered client (`AUTH_CLIENT_ID` / `AUTH_CLIENT_SECRET`). */
  clientId: string;
  clientSecret: string;
  /** How long an answer, positive or negative, is reused (`API_KEY_CACHE_TTL`); default 5, 0 = never. */
  cacheTtlSeconds?: number;
  /** Bound of the answer cache; default 10000. */
  cacheMaxEntries?: number;
  /** Per HTTP request; default 5000. */
  timeoutMs?: number;
  clock?: Clock;
}

interface CacheEntry {
  verified: VerifiedApiKey | null;
  /** Epoch ms; never served at or after it. */
  expiresAt: number;
  /** Epoch ms from which `refreshIfDue` re-checks the key in the background. */
  refreshAt: number;
}

/** Share of the TTL after which a busy key's answer is re-checked ahead of its expiry. */
const REFRESH_AHEAD_AT = 0.8;

/**
 * Verifies Keycard API keys with the auth-service's RFC 7662 introspection endpoint, as a
 * registered client (HTTP Basic). A key of the wrong shape or checksum is refused offline. Answers,
 * active or not, are cached by the key's SHA-256 for at most `cacheTtlSeconds` (and never past the
 * key's `exp`), so a revoked key stops within the TTL; concurrent misses for one key share one
 * request. When the auth-service cannot answer, it fails closed: 503, never an accepted key.
 */
export class IntrospectionApiKeyVerifier implements ApiKeyVerifier {
  private readonly logger = new Logger('KeycardApiKeys');
  private readonly cache: BoundedCache<string, CacheEntry>;
  private readonly inFlight = new Map<string, Promise<VerifiedApiKey | null>>();
  /**
   * The last known limit of each key, kept beyond the answer's TTL: it only decides how fast a key
   * may go (never whether it is valid), and knowing it lets an over-limit request be refused
   * before any introspection.
   */
  private readonly rateLimits: BoundedCache<string, number>;
  private readonly ttlMs: number;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly authorization: string;
  private endpoint?: Promise<string>;
  private lastProblem?: string;

  constructor(private readonly options: IntrospectionApiKeyVerifierOptions) {
    this.ttlMs = Math.max(0, (options.cacheTtlSeconds ?? 5) * 1000);
    const maxEntries = options.cacheMaxEntries ?? 10_000;
    this.cache = new BoundedCache(maxEntries);
    this.rateLimits = new BoundedCache(maxEntries);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.clock = options.clock ?? new SystemClock();
    this.authorization = basicAuthorization(options.clientId, options.clientSecret);
  }

  async verify(apiKey: string): Promise<Principal | null> {
    return (await this.check(apiKey))?.principal ?? null;
  }

  /**
   * The key's principal and rate limit; null when it is malformed, unknown, revoked or expired.
   * With `keyHash` (the caller has parsed the key and hashed it) the cache is consulted before the
   * shape is checked again: only well-formed keys are ever cached, so a hit needs no second parse.
   */
  check(apiKey: string, keyHash?: string): Promise<VerifiedApiKey | null> {
    if (keyHash === undefined && !parseApiKey(apiKey)) return Promise.resolve(null);
    const hash = keyHash ?? hashApiKey(apiKey);
    const cached = this.cached(hash, this.clock.now());
    if (cached !== undefined) return Promise.resolve(cached);
    if (keyHash !== undefined && !parseApiKey(apiKey)) return Promise.resolve(null);
    return this.introspectShared(apiKey, hash);
  }

  /** One introspection per key at a time: callers for a key already being asked share its answer. */
  private introspectShared(apiKey: string, hash: string): Promise<VerifiedApiKey | null> {
    let pending = this.inFlight.get(hash);
    if (pending === undefined) {
      pending = this.introspect(apiKey, hash).finally(() => this.inFlight.delete(hash));
      this.inFlight.set(hash, pending);
    }
    return pending;
  }

  /** The last known rate limit of a key verified before (no I/O); undefined when not known. */
  knownRateLimit(keyHash: string): number | undefined {
    return this.rateLimits.get(keyHash);
  }

  /**
   * Forgets the cached answers `matches` picks (by the key's hash and its principal; a known-bad
   * answer has none), e.g. keys revoked since they were cached. Their limits stay: a limit only
   * says how fast a key may go. Returns how many answers went.
   */
  forget(matches: (hash: string, principal: Principal | undefined) => boolean): number {
    return this.cache.deleteWhere((entry, hash) => matches(hash, entry.verified?.principal));
  }

  /**
   * The live cached answer, read only: the verified key, null (known bad), or undefined (not
   * cached, or its TTL is over at `now`, this verifier's clock's time).
   */
  cached(hash: string, now: number): VerifiedApiKey | null | undefined {
    const entry = this.cache.get(hash);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAt) {
      this.cache.delete(hash);
      return undefined;
    }
    return entry.verified;
  }

  /**
   * Re-checks a valid answer in the last fifth of its TTL, once, in the background: a busy key then
   * gets its fresh answer before the old one expires, instead of its requests waiting on
   * introspection every TTL. An answer is still never served past its own TTL, so a revoked key
   * stops within `cacheTtlSeconds` all the same; a failed re-check (logged by `introspect`) just
   * lets the old answer run out. Returns the re-check when one started (it never rejects; the
   * request path does not wait for it), else undefined.
   */
  refreshIfDue(apiKey: string, hash: string, now: number): Promise<void> | undefined {
    const entry = this.cache.get(hash);
    if (entry === undefined || entry.verified === null || now < entry.refreshAt) return undefined;
    entry.refreshAt = Number.POSITIVE_INFINITY;
    return this.introspectShared(apiKey, hash).then(
      () => undefined,
      () => undefined,
    );
  }

  private async introspect(apiKey: string, hash: string): Promise<VerifiedApiKey | null> {
    let verified: VerifiedApiKey | null;
    try {
      verified = toVerifiedApiKey(await this.post(apiKey), this.clock.now());
    } catch (error) {
      // Forget the endpoint too: the auth-service may have moved or restarted.
      this.endpoint = undefined;
      this.report(describeError(error));
      throw new KeycardError(ErrorCode.Unavailable, {
        reason: `API key introspection failed: ${describeError(error)}`,
      });
    }
    this.recovered();
    this.remember(hash, verified);
    this.rememberLimit(hash, verified?.rateLimit);
    return verified;
  }

  private async post(apiKey: string): Promise<unknown> {
    const url = await this.introspectionEndpoint();
    return postForm(
      url,
      { token: apiKey, token_type_hint: 'api_key' },
      { authorization: this.authorization },
      this.timeoutMs,
    );
  }

  private introspectionEndpoint(): Promise<string> {
    this.endpoint ??= discoverEndpoint(
      {
        issuer: trimSlash(this.options.issuer),
        internalUrl: this.options.internalUrl,
        timeoutMs: this.timeoutMs,
      },
      'introspection_endpoint',
    );
    return this.endpoint;
  }

  private remember(hash: string, verified: VerifiedApiKey | null): void {
    if (this.ttlMs <= 0) return;
    const now = this.clock.now();
    const exp = verified?.principal.expiresAt;
    const expiresAt = Math.min(now + this.ttlMs, exp ?? Number.POSITIVE_INFINITY);
    // A key whose own exp ends the answer first is not re-checked ahead: it is ending anyway.
    const refreshAt = now + this.ttlMs * REFRESH_AHEAD_AT;
    const entry = {
      verified,
      expiresAt,
      refreshAt: refreshAt < expiresAt ? refreshAt : Number.POSITIVE_INFINITY,
    };
    if (expiresAt > now) this.cache.set(hash, entry);
  }

  private rememberLimit(hash: string, rateLimit: number | undefined): void {
    if (rateLimit === undefined) this.rateLimits.delete(hash);
    else this.rateLimits.set(hash, rateLimit);
  }

  /** One log line per distinct failure, not one per request; never the key or its hash. */
  private report(problem: string): void {
    if (problem === this.lastProblem) return;
    this.lastProblem = problem;
    this.logger.error(`API key introspection failed (${problem}); API keys are refused with 503`);
  }

  private recovered(): void {
    if (this.lastProblem === undefined) return;
    this.lastProblem = undefined;
    this.logger.log('API key introspection answers again');
  }
}
