import type { ApiKeyVerifier } from '../options';
import type { Principal } from '../principal';

/** A key that passed verification: who it acts for, and its own rate limit when it has one. */
export interface VerifiedApiKey {
  principal: Principal;
  /** Requests a minute allowed for this key. */
  rateLimit?: number;
}

/**
 * An `ApiKeyVerifier` that also knows each key's rate limit, so the guard can count a request
 * against the right limit before the expensive part of verification.
 */
export interface RateLimitedApiKeyVerifier extends ApiKeyVerifier {
  /** Like `verify`, with the key's rate limit; `keyHash` is `hashApiKey(apiKey)` when known. */
  check(apiKey: string, keyHash?: string): Promise<VerifiedApiKey | null>;
  /** The limit of a key verified recently (from a cache, no I/O); undefined when not known. */
  knownRateLimit(keyHash: string): number | undefined;
  /**
   * The cached answer, without waiting on I/O: the key, null (known bad), or undefined (not
   * cached). With `apiKey`, the verifier may re-check an answer close to its end in the
   * background, so that a busy key's answer is renewed before it expires (never served past it).
   * `now`: the current time when the caller has just read it from the clock they share.
   */
  cached(keyHash: string, apiKey?: string, now?: number): VerifiedApiKey | null | undefined;
}
