import type { Clock } from '@keycard/common';
import { SystemClock } from '@keycard/common';
import { BoundedCache } from './bounded-cache';
import type { Principal } from './principal';

interface Entry {
  token: string;
  principal: Principal;
  /** Epoch ms; the entry is never served at or after it. */
  expiresAt: number;
  kid: string;
}

/**
 * Entries are found by the token's last characters (signature bytes, random enough) and then
 * compared in full: hashing a short key instead of a whole ~800-character token makes a hit about
 * ten times cheaper, and the full comparison keeps a crafted look-alike from ever matching.
 */
const FINGERPRINT_LENGTH = 32;

function fingerprint(token: string): string {
  return token.length > FINGERPRINT_LENGTH ? token.slice(-FINGERPRINT_LENGTH) : token;
}

/**
 * Bounded cache of access tokens that already passed full verification, so that the hot path of a
 * repeat caller is one Map lookup and one string compare instead of an RSA signature check.
 * Eviction is `BoundedCache`'s (the entry written longest ago goes first); entries die at their
 * `exp` and when their key leaves the JWKS (`forget`). Cached principals are frozen, since one
 * object is shared by every request that presents the token.
 */
export class VerifiedTokenCache {
  private readonly entries: BoundedCache<string, Entry>;

  constructor(
    maxEntries: number,
    private readonly clock: Clock = new SystemClock(),
  ) {
    this.entries = new BoundedCache(maxEntries);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The principal of a token verified earlier and not yet expired: the one read of a cached token
   * on the request path (a cached principal is served from here, or not at all).
   */
  get(token: string): Principal | undefined {
    const key = fingerprint(token);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    if (this.clock.now() >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  /** Remembers a verified token until its expiry (tokens without one are not cached). */
  set(token: string, principal: Principal, kid: string): void {
    const expiresAt = principal.expiresAt;
    if (expiresAt === undefined || expiresAt <= this.clock.now()) return;
    const entry = { token, principal: freezePrincipal(principal), expiresAt, kid };
    this.entries.set(fingerprint(token), entry);
  }

  /**
   * Forgets every token `matches` picks by its principal and the `kid` that signed it (a key that
   * left the JWKS, a revoked login). Returns how many were dropped.
   */
  forget(matches: (principal: Principal, kid: string) => boolean): number {
    return this.entries.deleteWhere((entry) => matches(entry.principal, entry.kid));
  }

  /** Forgets every token signed by `kid` (the key left the JWKS). Returns how many were dropped. */
  purgeKid(kid: string): number {
    return this.forget((_principal, signedBy) => signedBy === kid);
  }

  clear(): void {
    this.entries.clear();
  }
}

function freezePrincipal(principal: Principal): Principal {
  Object.freeze(principal.roles);
  Object.freeze(principal.scopes);
  return Object.freeze(principal);
}
