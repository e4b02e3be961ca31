import type { Clock } from '@keycard/common';
import { SystemClock } from '@keycard/common';
import type { Principal } from '../principal';
import type { DenySet } from './deny-set';
import type { RevocationEvent } from './revocation-event';

/** Lag past which `REVOCATION_FAIL_CLOSED` turns requests away (section 8 of the contract). */
export const FAIL_CLOSED_LAG_SECONDS = 30;

/** Told of each event applied, to purge what the verifier has cached for it. */
export type RevocationListener = (event: RevocationEvent) => void;

/**
 * A verifier's view of the auth-service's revocation log: the deny set, the cursor (the last log
 * position read in order, from which a reconnect resumes) and the lag (how long since it last
 * knew itself in step with the log). Sources feed it: ordered batches read from the log (the
 * stream, a catch-up), events pushed out of band (Redis), and heartbeats naming the log's head.
 */
export class RevocationFollower {
  private position = 0;
  private syncedAt: number;
  private readonly listeners: RevocationListener[] = [];
  private markSynced!: () => void;
  /** Resolves the first time the follower is in step with the log (a starting verifier waits for it). */
  readonly firstSync = new Promise<void>((resolve) => (this.markSynced = resolve));

  constructor(
    readonly deny: DenySet,
    private readonly failClosed = false,
    private readonly clock: Clock = new SystemClock(),
  ) {
    this.syncedAt = clock.now();
  }

  /** The last log position read in order: a source resumes after it. */
  get cursor(): number {
    return this.position;
  }

  onEvent(listener: RevocationListener): void {
    this.listeners.push(listener);
  }

  /** Events read from the log in order (a stream or a catch-up), up to `head` when known. */
  applyOrdered(events: readonly RevocationEvent[], head?: number): void {
    for (const event of events) {
      this.apply(event);
      if (event.id > this.position) this.position = event.id;
    }
    if (head !== undefined) this.heartbeat(head);
  }

  /**
   * An event pushed out of band (Redis). Applied at once; it moves the cursor only when it follows
   * the cursor directly (`after`, the id before it in the log), so a missed message is read again.
   */
  applyPushed(event: RevocationEvent, after?: number): void {
    this.apply(event);
    if (after !== undefined && after <= this.position && event.id > this.position)
      this.position = event.id;
  }

  /** The log's head: true when the cursor is behind it (the source should catch up). */
  heartbeat(head: number): boolean {
    if (head <= this.position) {
      this.syncedAt = this.clock.now();
      this.markSynced();
      return false;
    }
    return true;
  }

  /** Seconds since the follower last knew itself in step with the log. */
  lagSeconds(): number {
    return Math.max(0, (this.clock.now() - this.syncedAt) / 1000);
  }

  /** With `REVOCATION_FAIL_CLOSED`: true once the lag has passed 30 s. */
  tooFarBehind(): boolean {
    return this.failClosed && this.clock.now() - this.syncedAt > FAIL_CLOSED_LAG_SECONDS * 1000;
  }

  refuses(principal: Principal): boolean {
    return this.deny.refuses(principal);
  }

  private apply(event: RevocationEvent): void {
    if (!this.deny.add(event)) return;
    for (const listener of this.listeners) listener(event);
  }
}
