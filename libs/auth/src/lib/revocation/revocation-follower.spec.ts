import { ManualClock } from '@keycard/common';
import { DenySet } from './deny-set';
import type { RevocationEvent } from './revocation-event';
import { parseRevocationMessage } from './revocation-event';
import { RevocationFollower } from './revocation-follower';

const T0 = Date.UTC(2026, 0, 1);

function event(id: number, subject = `sid-${id}`): RevocationEvent {
  return { id, kind: 'sid', subject, at: T0, expiresAt: T0 + 900_000 };
}

const user = (sid: string) => ({
  sub: 'u',
  authType: 'jwt' as const,
  roles: [],
  scopes: [],
  scopeRestricted: false,
  sessionId: sid,
});

describe('RevocationFollower', () => {
  let clock: ManualClock;
  let follower: RevocationFollower;

  beforeEach(() => {
    clock = new ManualClock(T0);
    follower = new RevocationFollower(new DenySet(100, clock), true, clock);
  });

  it('moves its cursor with events read in order, and applies them', () => {
    follower.applyOrdered([event(1), event(2), event(5)], 5);
    expect(follower.cursor).toBe(5);
    expect(follower.refuses(user('sid-5'))).toBe(true);
  });

  it('a pushed event that does not follow the cursor is applied but the gap is read again', () => {
    follower.applyOrdered([event(1)], 1);
    follower.applyPushed(event(3), 2);
    expect(follower.refuses(user('sid-3'))).toBe(true);
    expect(follower.cursor).toBe(1);
    // The heartbeat shows the cursor behind: the source catches up from 1.
    expect(follower.heartbeat(3)).toBe(true);
    follower.applyOrdered([event(2), event(3)], 3);
    expect(follower.cursor).toBe(3);
    expect(follower.refuses(user('sid-2'))).toBe(true);
  });

  it('a pushed event right after the cursor moves it', () => {
    follower.applyOrdered([event(1)], 1);
    follower.applyPushed(event(2), 1);
    expect(follower.cursor).toBe(2);
  });

  it('duplicates and events older than the cursor are harmless', () => {
    follower.applyOrdered([event(1), event(2)], 2);
    follower.applyPushed(event(1), 0);
    follower.applyOrdered([event(2), event(1)]);
    expect(follower.cursor).toBe(2);
    expect(follower.deny.size).toBe(2);
  });

  it('tells listeners of each event it takes in', () => {
    const seen: number[] = [];
    follower.onEvent((e) => seen.push(e.id));
    follower.applyOrdered([event(1), event(2)]);
    expect(seen).toEqual([1, 2]);
  });

  it('reports its lag since it last knew itself in step, and fails closed past 30 s', () => {
    follower.applyOrdered([event(1)], 1);
    clock.advance(10_000);
    expect(follower.lagSeconds()).toBe(10);
    follower.heartbeat(1);
    expect(follower.lagSeconds()).toBe(0);
    clock.advance(30_000);
    expect(follower.tooFarBehind()).toBe(false);
    clock.advance(1);
    expect(follower.tooFarBehind()).toBe(true);
    // Behind the head is not in step: the lag keeps growing until it catches up.
    follower.heartbeat(2);
    expect(follower.tooFarBehind()).toBe(true);
    follower.applyOrdered([event(2)], 2);
    expect(follower.tooFarBehind()).toBe(false);
  });

  it('fails open unless told otherwise', () => {
    const open = new RevocationFollower(new DenySet(10, clock), false, clock);
    clock.advance(120_000);
    expect(open.lagSeconds()).toBe(120);
    expect(open.tooFarBehind()).toBe(false);
  });
});

describe('parseRevocationMessage', () => {
  it.each([
    ['not json', undefined],
    ['[]', undefined],
    ['{"type":"heartbeat","head":-1}', undefined],
    [
      '{"type":"event","event":{"id":1,"kind":"nope","subject":"s","at":1,"expiresAt":2}}',
      undefined,
    ],
    ['{"type":"event","event":{"id":1,"kind":"sid","subject":"","at":1,"expiresAt":2}}', undefined],
    ['{"type":"heartbeat","head":4}', { type: 'heartbeat', head: 4 }],
  ])('%s', (text, expected) => {
    expect(parseRevocationMessage(text)).toEqual(expected);
  });

  it('reads an event with the id before it', () => {
    const e = event(7);
    expect(parseRevocationMessage(JSON.stringify({ type: 'event', event: e, after: 6 }))).toEqual({
      type: 'event',
      event: e,
      after: 6,
    });
  });
});
