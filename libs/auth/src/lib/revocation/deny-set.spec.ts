import { ManualClock } from '@keycard/common';
import type { Principal } from '../principal';
import { DenySet } from './deny-set';
import type { RevocationEvent, RevocationKind } from './revocation-event';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
const TTL = 15 * 60_000;

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    sub: 'user-1',
    authType: 'jwt',
    roles: [],
    scopes: [],
    scopeRestricted: false,
    sessionId: 'sid-1',
    clientId: 'app-1',
    issuedAt: T0 - 60_000,
    expiresAt: T0 + TTL,
    ...overrides,
  };
}

let nextId = 1;
function event(
  kind: RevocationKind,
  subject: string,
  at = T0,
  expiresAt = at + TTL,
): RevocationEvent {
  return { id: nextId++, kind, subject, at, expiresAt };
}

describe('DenySet', () => {
  let clock: ManualClock;
  let deny: DenySet;

  beforeEach(() => {
    clock = new ManualClock(T0);
    deny = new DenySet(100, clock);
  });

  it('refuses nothing while empty', () => {
    expect(deny.refuses(principal())).toBe(false);
    expect(deny.refusesKid('k1')).toBe(false);
  });

  it('sid: refuses every token of that login, and only those', () => {
    deny.add(event('sid', 'sid-1'));
    expect(deny.refuses(principal())).toBe(true);
    expect(deny.refuses(principal({ sessionId: 'sid-2' }))).toBe(false);
    expect(deny.refuses(principal({ sessionId: undefined }))).toBe(false);
  });

  it('user_before: refuses tokens issued before the revocation (its whole second), not later ones', () => {
    deny.add(event('user_before', 'user-1'));
    const second = Math.floor(T0 / 1000) * 1000;
    expect(deny.refuses(principal({ issuedAt: T0 - 60_000 }))).toBe(true);
    expect(deny.refuses(principal({ issuedAt: second }))).toBe(true);
    expect(deny.refuses(principal({ issuedAt: second + 1000 }))).toBe(false);
    expect(deny.refuses(principal({ sub: 'user-2' }))).toBe(false);
    // A token that cannot show when it was issued is refused.
    expect(deny.refuses(principal({ issuedAt: undefined }))).toBe(true);
  });

  it('client: refuses the client tokens issued before the revocation', () => {
    deny.add(event('client', 'app-1'));
    expect(deny.refuses(principal({ sessionId: undefined }))).toBe(true);
    expect(deny.refuses(principal({ clientId: 'app-2' }))).toBe(false);
    expect(deny.refuses(principal({ clientId: undefined }))).toBe(false);
  });

  it('api_key: refuses that key from its time on (a rotation grace ends later)', () => {
    const key = principal({ authType: 'api_key', tokenId: 'key-1', sessionId: undefined });
    deny.add(event('api_key', 'key-1', T0 + 60_000));
    expect(deny.refuses(key)).toBe(false);
    clock.advance(60_000);
    expect(deny.refuses(key)).toBe(true);
    expect(deny.refuses({ ...key, tokenId: 'key-2' })).toBe(false);
    // An API key is not a token of its owner's login.
    deny.add(event('sid', 'sid-1'));
    expect(deny.refuses({ ...key, tokenId: 'key-2', sessionId: 'sid-1' })).toBe(false);
  });

  it('api_key: a revocation after a rotation applies at once (the earliest time wins)', () => {
    const key = principal({ authType: 'api_key', tokenId: 'key-1' });
    deny.add(event('api_key', 'key-1', T0 + 86_400_000));
    deny.add(event('api_key', 'key-1', T0));
    expect(deny.refuses(key)).toBe(true);
  });

  it('kid: refuses the key', () => {
    deny.add(event('kid', 'k1'));
    expect(deny.refusesKid('k1')).toBe(true);
    expect(deny.refusesKid('k2')).toBe(false);
  });

  it('forgets entries when they expire, and does not take in expired ones', () => {
    deny.add(event('sid', 'sid-1', T0, T0 + 1000));
    expect(deny.add(event('sid', 'sid-2', T0 - TTL, T0))).toBe(false);
    expect(deny.size).toBe(1);
    clock.advance(1000);
    expect(deny.refuses(principal())).toBe(false);
    expect(deny.size).toBe(0);
  });

  it('sweeps at most once a second on the request path, however many entries expire', () => {
    for (let i = 0; i < 1000; i++) deny.add(event('sid', `sid-${i}`, T0, T0 + 1 + i));
    const sweep = jest.spyOn(deny, 'sweep');
    for (let ms = 0; ms < 1000; ms++) {
      clock.advance(1);
      deny.refuses(principal());
    }
    expect(sweep).toHaveBeenCalledTimes(1);
    clock.advance(1000);
    expect(deny.refuses(principal())).toBe(false);
    expect(deny.size).toBe(0);
  });

  it('is bounded: when full, the entry nearest to its expiry goes', () => {
    const small = new DenySet(3, clock);
    small.add(event('sid', 'a', T0, T0 + 3000));
    small.add(event('sid', 'b', T0, T0 + 1000));
    small.add(event('sid', 'c', T0, T0 + 2000));
    small.add(event('sid', 'd', T0, T0 + 4000));
    expect(small.size).toBe(3);
    const refused = ['a', 'b', 'c', 'd'].filter((sid) =>
      small.refuses(principal({ sessionId: sid })),
    );
    expect(refused).toEqual(['a', 'c', 'd']);
  });

  it('when full, drops expired entries before anything live', () => {
    const small = new DenySet(2, clock);
    small.add(event('sid', 'old', T0, T0 + 10));
    small.add(event('sid', 'live', T0, T0 + 5000));
    clock.advance(10);
    small.add(event('sid', 'new', T0, T0 + 5000));
    expect(small.refuses(principal({ sessionId: 'live' }))).toBe(true);
    expect(small.refuses(principal({ sessionId: 'new' }))).toBe(true);
  });

  it('duplicates and out-of-order events change nothing: the later time and expiry win', () => {
    const late = event('user_before', 'user-1', T0 + 5000);
    const early = event('user_before', 'user-1', T0);
    deny.add(late);
    deny.add(early);
    deny.add(late);
    expect(deny.size).toBe(1);
    expect(deny.refuses(principal({ issuedAt: T0 + 4000 }))).toBe(true);
  });

  it('a later expiry of the same entry holds: the entry outlives its first expiry', () => {
    deny.add(event('sid', 'sid-1', T0, T0 + 1000));
    deny.add(event('sid', 'sid-1', T0, T0 + 5000));
    clock.advance(2000);
    deny.sweep();
    expect(deny.refuses(principal())).toBe(true);
    clock.advance(3000);
    deny.sweep();
    expect(deny.size).toBe(0);
  });

  it('full and flooded, it keeps what a set that evicts the nearest expiry one by one keeps', () => {
    const max = 50;
    const flooded = new DenySet(max, clock);
    // The reference: the rule written plainly, one full scan per eviction.
    const reference = new Map<string, number>();
    let seed = 11; // xorshift32: a repeatable sequence
    const random = (below: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % below;
    };
    for (let step = 0; step < 3000; step++) {
      if (random(50) === 0) clock.advance(random(500));
      const now = clock.now();
      for (const [subject, expiresAt] of reference) if (expiresAt <= now) reference.delete(subject);
      const subject = `sid-${random(400)}`;
      // Short and long expiries mixed, so that entries outlive the expiry they were queued with.
      const expiresAt = now + 1 + (random(2) === 0 ? random(1000) : random(60_000));
      flooded.add(event('sid', subject, now, expiresAt));
      const known = reference.get(subject);
      if (known !== undefined) {
        reference.set(subject, Math.max(known, expiresAt));
        continue;
      }
      if (reference.size >= max) {
        const [nearest] = [...reference].sort(([, a], [, b]) => a - b)[0];
        reference.delete(nearest);
      }
      reference.set(subject, expiresAt);
    }
    flooded.sweep();
    const kept = [...Array(400).keys()]
      .map((i) => `sid-${i}`)
      .filter((sid) => flooded.refuses(principal({ sessionId: sid })));
    expect(kept.sort()).toEqual([...reference.keys()].sort());
    expect(flooded.size).toBe(reference.size);
  });
});
