import { Clock, SystemClock } from '@keycard/common';
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
 * Eviction is FIFO (insertion order); entries die at their `exp` and when their key leaves the JWKS.
 * Cached principals are frozen, since one object is shared by every request that presents the token.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly clock: Clock = new SystemClock(),
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The principal of a token verified earlier and not yet expired. */
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
    if (this.maxEntries <= 0 || expiresAt === undefined || expiresAt <= this.clock.now()) return;
    const key = fingerprint(token);
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { token, principal: freezePrincipal(principal), expiresAt, kid });
  }

  /** Forgets every token signed by `kid` (the key left the JWKS). Returns how many were dropped. */
  purgeKid(kid: string): number {
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (entry.kid === kid) {
        this.entries.delete(key);
        dropped++;
      }
    }
    return dropped;
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
