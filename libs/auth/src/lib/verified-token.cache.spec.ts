import { ManualClock } from '@keycard/common';
import type { Principal } from './principal';
import { VerifiedTokenCache } from './verified-token.cache';

describe('VerifiedTokenCache', () => {
  let clock: ManualClock;
  const principal = (expiresAt: number | undefined, sub = 'u1'): Principal => ({
    sub,
    authType: 'jwt',
    roles: [],
    scopes: [],
    scopeRestricted: false,
    expiresAt,
  });

  beforeEach(() => {
    clock = new ManualClock();
  });

  it('serves an entry until, but not at, its expiry', () => {
    const cache = new VerifiedTokenCache(10, clock);
    cache.set('t1', principal(clock.now() + 1000), 'k1');
    clock.advance(999);
    expect(cache.get('t1')?.sub).toBe('u1');
    clock.advance(1);
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not cache expired tokens or tokens without an expiry', () => {
    const cache = new VerifiedTokenCache(10, clock);
    cache.set('expired', principal(clock.now()), 'k1');
    cache.set('no-exp', principal(undefined), 'k1');
    expect(cache.size).toBe(0);
  });

  it('evicts the oldest entries beyond its bound', () => {
    const cache = new VerifiedTokenCache(2, clock);
    for (const token of ['a', 'b', 'c'])
      cache.set(token, principal(clock.now() + 1000, token), 'k1');
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')?.sub).toBe('b');
    expect(cache.get('c')?.sub).toBe('c');
  });

  it('stores nothing when disabled (0 entries)', () => {
    const cache = new VerifiedTokenCache(0, clock);
    cache.set('t1', principal(clock.now() + 1000), 'k1');
    expect(cache.get('t1')).toBeUndefined();
  });

  it('purges every entry of a kid', () => {
    const cache = new VerifiedTokenCache(10, clock);
    cache.set('a', principal(clock.now() + 1000), 'k1');
    cache.set('b', principal(clock.now() + 1000), 'k2');
    cache.set('c', principal(clock.now() + 1000), 'k1');
    expect(cache.purgeKid('k1')).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
  });

  it('never serves a different token that merely ends like a cached one', () => {
    const cache = new VerifiedTokenCache(10, clock);
    const signature = 'S'.repeat(64);
    cache.set(`header.payload.${signature}`, principal(clock.now() + 1000), 'k1');
    expect(cache.get(`header.forged.${signature}`)).toBeUndefined();
    expect(cache.get(`header.payload.${signature}`)?.sub).toBe('u1');
  });

  it('freezes the shared principal', () => {
    const cache = new VerifiedTokenCache(10, clock);
    cache.set('t1', principal(clock.now() + 1000), 'k1');
    const cached = cache.get('t1') as Principal;
    expect(Object.isFrozen(cached)).toBe(true);
    expect(() => cached.roles.push('admin')).toThrow(TypeError);
  });
});
