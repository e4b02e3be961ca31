import { signRs256, startTestIssuer, type TestIssuer, type TestKeyPair } from './keycard-testing';
import type { KeyObject } from 'node:crypto';
import type { KeyResolver } from '../lib/options';

export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'keycard';

/** Claims of a valid user access token, `now` in epoch ms. */
export function userClaims(
  now: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const iat = Math.floor(now / 1000);
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat,
    exp: iat + 900,
    jti: `jti-${Math.random().toString(36).slice(2)}`,
    roles: ['user'],
    scope: 'documents:read',
    sid: 'sid-1',
    ...overrides,
  };
}

export function accessToken(
  key: TestKeyPair,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  return signRs256(
    { alg: 'RS256', typ: 'at+jwt', kid: key.kid, ...header },
    claims,
    key.privateKey,
  );
}

/** An in-memory key set: counts lookups and can drop keys (notifying listeners like a JWKS refresh). */
export class StaticKeyResolver implements KeyResolver {
  lookups = 0;
  private readonly keys = new Map<string, KeyObject>();
  private readonly listeners: ((kids: string[]) => void)[] = [];

  constructor(...pairs: TestKeyPair[]) {
    for (const pair of pairs) this.keys.set(pair.kid, pair.publicKey);
  }

  async getKey(kid: string): Promise<KeyObject | undefined> {
    this.lookups++;
    return this.keys.get(kid);
  }

  onKeysRemoved(listener: (kids: string[]) => void): void {
    this.listeners.push(listener);
  }

  remove(kid: string): void {
    this.keys.delete(kid);
    this.listeners.forEach((listener) => listener([kid]));
  }
}

export type JwksServer = TestIssuer;

/** A stand-in issuer (`startTestIssuer`) publishing `pairs`, without `Cache-Control` unless set. */
export function startJwksServer(pairs: TestKeyPair[] = [], issuer?: string): Promise<JwksServer> {
  return startTestIssuer({ keys: pairs, issuer, cacheControl: null });
}

/** Freezes `Date` (only) at `now`, so jsonwebtoken and the cache see a controlled time while I/O timers stay real. */
export function freezeDate(now: number): void {
  jest.useFakeTimers({
    now,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}
