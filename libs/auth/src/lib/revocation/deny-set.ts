import type { Clock } from '@keycard/common';
import { SystemClock } from '@keycard/common';
import type { Principal } from '../principal';
import type { RevocationEvent, RevocationKind } from './revocation-event';
import { validFrom } from './revocation-event';

interface Entry {
  /** Epoch ms: for `user_before` and `client`, tokens issued before it are refused; for `api_key`, refused from it on. */
  at: number;
  /** Epoch ms: forgotten then. */
  expiresAt: number;
}

/** Default bound of the set, all kinds together. */
export const DEFAULT_DENY_SET_MAX_ENTRIES = 100_000;

/** The request path sweeps expired entries at most this often. */
const SWEEP_EVERY_MS = 1000;

/**
 * What a verifier refuses although it verifies: logins (`sid`), users' earlier tokens, API keys,
 * clients' tokens and signing keys, as the auth-service's revocation events say. The check on the
 * hot path is a size test, then one Map lookup per field the principal carries. Applying an event
 * is idempotent and order-free (the later `at` and expiry win), so duplicates and events that
 * arrive out of order change nothing. Entries expire with the tokens they cover; the set is
 * bounded, the entries nearest to expiry going first when it is full.
 */
export class DenySet {
  private readonly maps: Record<RevocationKind, Map<string, Entry>> = {
    sid: new Map(),
    user_before: new Map(),
    api_key: new Map(),
    client: new Map(),
    kid: new Map(),
  };
  private entries = 0;
  /**
   * When the request path sweeps next: the earliest expiry in the set, but at most once every
   * `SWEEP_EVERY_MS`. A sweep walks every entry, and entries expire one after another (each
   * sign-out's entry lives until its tokens' `exp`): sweeping at each expiry would walk a full set
   * on every few requests. An expired entry kept a moment longer refuses nothing live.
   */
  private nextSweepAt = Number.POSITIVE_INFINITY;
  private lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxEntries = DEFAULT_DENY_SET_MAX_ENTRIES,
    private readonly clock: Clock = new SystemClock(),
  ) {}

  get size(): number {
    return this.entries;
  }

  /** Adds an event; false when it had already expired (nothing to remember). */
  add(event: RevocationEvent): boolean {
    const now = this.clock.now();
    if (event.expiresAt <= now) return false;
    const map = this.maps[event.kind];
    const at =
      event.kind === 'user_before' || event.kind === 'client' ? validFrom(event.at) : event.at;
    const known = map.get(event.subject);
    if (known !== undefined) {
      // A later user revocation covers more tokens; an API key is refused from its earliest time.
      known.at = event.kind === 'api_key' ? Math.min(known.at, at) : Math.max(known.at, at);
      known.expiresAt = Math.max(known.expiresAt, event.expiresAt);
      return true;
    }
    if (this.entries >= this.maxEntries) this.sweep(now);
    if (this.entries >= this.maxEntries) this.evictNearestExpiry();
    map.set(event.subject, { at, expiresAt: event.expiresAt });
    this.entries++;
    this.nextSweepAt = Math.min(
      this.nextSweepAt,
      Math.max(event.expiresAt, this.lastSweepAt + SWEEP_EVERY_MS),
    );
    return true;
  }

  /** Whether a verified principal must be refused. */
  refuses(principal: Principal): boolean {
    if (this.entries === 0) return false;
    const now = this.clock.now();
    if (now >= this.nextSweepAt) this.sweep(now);
    if (principal.authType === 'api_key') {
      const key =
        principal.tokenId === undefined ? undefined : this.maps.api_key.get(principal.tokenId);
      return key !== undefined && now >= key.at;
    }
    const sid = principal.sessionId;
    if (sid !== undefined && this.maps.sid.has(sid)) return true;
    if (issuedBefore(this.maps.user_before.get(principal.sub), principal)) return true;
    const clientId = principal.clientId;
    return clientId !== undefined && issuedBefore(this.maps.client.get(clientId), principal);
  }

  /** Whether tokens signed by `kid` must be refused. */
  refusesKid(kid: string): boolean {
    return this.entries !== 0 && this.maps.kid.has(kid);
  }

  /** Drops every expired entry. */
  sweep(now = this.clock.now()): void {
    let next = Number.POSITIVE_INFINITY;
    for (const map of Object.values(this.maps)) {
      for (const [subject, entry] of map) {
        if (entry.expiresAt <= now) {
          map.delete(subject);
          this.entries--;
        } else next = Math.min(next, entry.expiresAt);
      }
    }
    this.lastSweepAt = now;
    this.nextSweepAt = Math.max(next, now + SWEEP_EVERY_MS);
  }

  /** Full although nothing expired: the entry closest to its expiry goes (one scan, rare). */
  private evictNearestExpiry(): void {
    let victim: { map: Map<string, Entry>; subject: string; expiresAt: number } | undefined;
    for (const map of Object.values(this.maps)) {
      for (const [subject, entry] of map) {
        if (victim === undefined || entry.expiresAt < victim.expiresAt)
          victim = { map, subject, expiresAt: entry.expiresAt };
      }
    }
    if (victim === undefined) return;
    victim.map.delete(victim.subject);
    this.entries--;
  }
}

/** A token without `iat` cannot show it is newer: it is refused. */
function issuedBefore(entry: Entry | undefined, principal: Principal): boolean {
  if (entry === undefined) return false;
  return principal.issuedAt === undefined || principal.issuedAt < entry.at;
}
