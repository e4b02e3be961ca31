import type { Clock } from '@keycard/common';
import { SystemClock } from '@keycard/common';
import type { Principal } from '../principal';
import { ExpiryQueue } from './expiry-queue';
import type { RevocationEvent, RevocationKind } from './revocation-event';
import { validFrom } from './revocation-event';

interface Entry {
  /** Epoch ms: for `user_before` and `client`, tokens issued before it are refused; for `api_key`, refused from it on. */
  at: number;
  /** Epoch ms: forgotten then. */
  expiresAt: number;
}

/** An entry's place in the expiry queue; it no longer holds once the entry went or outlives it. */
interface Expiry {
  expiresAt: number;
  map: Map<string, Entry>;
  subject: string;
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
 * bounded, the entries nearest to expiry going first when it is full. An expiry queue (a heap)
 * finds those entries, so a sweep costs what it removes and an eviction O(log n), even with the
 * set full and revocations pouring in.
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
  /** Every entry's expiry, earliest first, plus some that no longer hold (see `holds`). */
  private readonly expiries = new ExpiryQueue<Expiry>();
  /**
   * When the request path sweeps next: the earliest expiry in the set, but at most once every
   * `SWEEP_EVERY_MS`. Entries expire one after another (each sign-out's entry lives until its
   * tokens' `exp`): a request path that swept at each expiry would stop on every few requests.
   * An expired entry kept a moment longer refuses nothing live.
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
      if (event.expiresAt > known.expiresAt) {
        known.expiresAt = event.expiresAt;
        this.queue(map, event.subject, known);
      }
      return true;
    }
    if (this.entries >= this.maxEntries) this.sweep(now);
    if (this.entries >= this.maxEntries) this.evictNearestExpiry();
    const entry = { at, expiresAt: event.expiresAt };
    map.set(event.subject, entry);
    this.entries++;
    this.queue(map, event.subject, entry);
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

  /** Drops every expired entry: the queue's head, as far as it has expired. */
  sweep(now = this.clock.now()): void {
    for (let head = this.expiries.peek(); head !== undefined && head.expiresAt <= now; ) {
      this.expiries.pop();
      if (holds(head)) {
        head.map.delete(head.subject);
        this.entries--;
      }
      head = this.expiries.peek();
    }
    this.lastSweepAt = now;
    const next = this.expiries.peek()?.expiresAt ?? Number.POSITIVE_INFINITY;
    this.nextSweepAt = Math.max(next, now + SWEEP_EVERY_MS);
  }

  /** Full although nothing expired: the entry closest to its expiry goes. */
  private evictNearestExpiry(): void {
    for (let head = this.expiries.pop(); head !== undefined; head = this.expiries.pop()) {
      if (!holds(head)) continue;
      head.map.delete(head.subject);
      this.entries--;
      return;
    }
  }

  /**
   * Queues the entry's (new) expiry. The queue is rebuilt from the entries when the expiries that
   * no longer hold (left by later expiries of the same entry) outnumber the live ones.
   */
  private queue(map: Map<string, Entry>, subject: string, entry: Entry): void {
    this.expiries.push({ expiresAt: entry.expiresAt, map, subject });
    if (this.expiries.size <= 2 * this.entries + 1024) return;
    this.expiries.reset(
      Object.values(this.maps).flatMap((each) =>
        [...each].map(([key, { expiresAt }]) => ({ expiresAt, map: each, subject: key })),
      ),
    );
  }
}

/** Whether a queued expiry is still its entry's: the entry is there and expires then. */
function holds(expiry: Expiry): boolean {
  return expiry.map.get(expiry.subject)?.expiresAt === expiry.expiresAt;
}

/** A token without `iat` cannot show it is newer: it is refused. */
function issuedBefore(entry: Entry | undefined, principal: Principal): boolean {
  if (entry === undefined) return false;
  return principal.issuedAt === undefined || principal.issuedAt < entry.at;
}
