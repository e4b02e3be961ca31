import { Logger } from '@nestjs/common';
import { ManualClock } from '@keycard/common';
import type { TestKeyPair } from '../testing/keycard-testing';
import { makeTestKeyPair } from '../testing/keycard-testing';
import type { JwksServer } from '../testing/fixtures';
import { startJwksServer } from '../testing/fixtures';
import type { RemoteJwksKeyResolverOptions } from './remote-jwks.key-resolver';
import { RemoteJwksKeyResolver } from './remote-jwks.key-resolver';

describe('RemoteJwksKeyResolver', () => {
  let keyA: TestKeyPair;
  let keyB: TestKeyPair;
  let server: JwksServer;
  let clock: ManualClock;
  const resolvers: RemoteJwksKeyResolver[] = [];
  const resolver = (options: Partial<RemoteJwksKeyResolverOptions> = {}) => {
    const created = new RemoteJwksKeyResolver({
      issuer: server.issuer,
      clock,
      minRefetchIntervalSeconds: 30,
      ...options,
    });
    resolvers.push(created);
    return created;
  };

  beforeAll(() => {
    keyA = makeTestKeyPair('key-a');
    keyB = makeTestKeyPair('key-b');
    Logger.overrideLogger(false);
  });

  beforeEach(async () => {
    clock = new ManualClock();
    server = await startJwksServer([keyA]);
  });

  afterEach(async () => {
    resolvers.splice(0).forEach((created) => created.close());
    await server.close();
  });

  it('finds the keys through the discovery document and serves known kids from memory', async () => {
    const keys = resolver();
    const found = await keys.getKey('key-a');
    expect(found?.equals(keyA.publicKey)).toBe(true);
    await keys.getKey('key-a');
    expect(server.discoveryHits).toBe(1);
    expect(server.jwksHits).toBe(1);
  });

  it('refetches for an unknown kid, at most once per cooldown', async () => {
    const keys = resolver();
    await keys.getKey('key-a');
    server.keys = [keyA.jwk, keyB.jwk];
    expect(await keys.getKey('key-b')).toBeUndefined();
    expect(await keys.getKey('key-b')).toBeUndefined();
    expect(server.jwksHits).toBe(1);
    clock.advance(30_000);
    expect((await keys.getKey('key-b'))?.equals(keyB.publicKey)).toBe(true);
    expect(server.jwksHits).toBe(2);
  });

  it('shares one fetch between concurrent misses', async () => {
    const keys = resolver();
    const found = await Promise.all(['x', 'y', 'z', 'key-a', 'x'].map((kid) => keys.getKey(kid)));
    expect(found.filter(Boolean)).toHaveLength(1);
    expect(server.jwksHits).toBe(1);
    clock.advance(10_000);
    await Promise.all(['x', 'y'].map((kid) => keys.getKey(kid)));
    expect(server.jwksHits).toBe(1);
  });

  it('reports the outcome of every download to onFetch', async () => {
    const outcomes: string[] = [];
    const keys = resolver({ onFetch: (outcome) => outcomes.push(outcome) });
    await keys.getKey('key-a');
    await server.close();
    expect(await keys.refresh()).toBe(false);
    expect(outcomes).toEqual(['ok', 'error']);
  });

  it('keeps the cached keys while the issuer is down, answering "unknown" for new kids', async () => {
    const keys = resolver();
    await keys.getKey('key-a');
    await server.close();
    clock.advance(60_000);
    await expect(keys.getKey('key-new')).resolves.toBeUndefined();
    expect(await keys.refresh()).toBe(false);
    expect((await keys.getKey('key-a'))?.equals(keyA.publicKey)).toBe(true);
  });

  describe('health', () => {
    it('is neither ready nor reachable before the first download, then both', async () => {
      const keys = resolver();
      expect(keys.health()).toEqual({
        issuer: server.issuer,
        ready: false,
        reachable: false,
        keys: 0,
      });
      await keys.warm();
      expect(keys.health()).toEqual({
        issuer: server.issuer,
        ready: true,
        reachable: true,
        keys: 1,
      });
    });

    it('stays ready with cached keys when the issuer goes away, and says why it is unreachable', async () => {
      const keys = resolver();
      await keys.warm();
      await server.close();
      expect(await keys.refresh()).toBe(false);
      expect(keys.health()).toMatchObject({ ready: true, reachable: false, keys: 1 });
      expect(keys.health().error).toEqual(expect.any(String));
    });

    it('says in one warning at start-up that the issuer cannot be reached, naming it', async () => {
      const issuer = server.issuer;
      await server.close();
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        const keys = resolver({ issuer });
        await keys.warm();
        expect(keys.health()).toMatchObject({ ready: false, reachable: false, keys: 0 });
        const lines = warn.mock.calls.map(([line]) => String(line));
        expect(
          lines.filter((line) => line.startsWith(`cannot reach the issuer ${issuer}`)),
        ).toHaveLength(1);
        expect(lines.join('\n')).toMatch(/AUTH_ISSUER/);
      } finally {
        warn.mockRestore();
      }
    });
  });

  it('calls AUTH_INTERNAL_URL instead of the public issuer, for discovery and jwks_uri', async () => {
    server.issuer = 'https://auth.public.test';
    const keys = resolver({ issuer: 'https://auth.public.test/', internalUrl: server.url });
    expect(await keys.getKey('key-a')).toBeDefined();
    expect(server.jwksHits).toBe(1);
  });

  it('refuses a discovery document of another issuer', async () => {
    server.issuer = 'https://someone-else.test';
    const keys = resolver({ issuer: 'https://auth.public.test', internalUrl: server.url });
    expect(await keys.getKey('key-a')).toBeUndefined();
    expect(server.jwksHits).toBe(0);
  });

  it('accepts only RSA signing keys of 2048 bits or more, without private parts', async () => {
    const weak = makeTestKeyPair('weak', 1024);
    server.keys = [
      weak.jwk,
      { kty: 'oct', kid: 'hmac', alg: 'HS256', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0' },
      { ...keyB.jwk, kid: 'enc', use: 'enc' },
      { ...keyB.jwk, kid: 'rs512', alg: 'RS512' },
      { ...keyB.jwk, kid: 'private', ...keyB.privateKey.export({ format: 'jwk' }) },
      { kty: 'EC', kid: 'ec', crv: 'P-256', x: 'AA', y: 'AA' },
      { ...keyB.jwk, kid: 'no-use-no-alg', use: undefined, alg: undefined },
      { ...keyB.jwk, kid: undefined },
      keyA.jwk,
    ];
    const keys = resolver();
    await keys.refresh();
    expect(keys.kids.sort()).toEqual(['key-a', 'no-use-no-alg']);
  });

  it('tells listeners which kids left the JWKS or changed', async () => {
    const keys = resolver();
    const removed: string[][] = [];
    keys.onKeysRemoved((kids) => removed.push(kids));
    server.keys = [keyA.jwk, keyB.jwk];
    await keys.refresh();
    server.keys = [{ ...keyB.jwk, kid: 'key-a' }];
    await keys.refresh();
    expect(removed).toEqual([['key-a', 'key-b']]);
  });

  describe('background refresh', () => {
    beforeEach(() => {
      jest.useFakeTimers({
        doNotFake: [
          'Date',
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'setImmediate',
          'clearImmediate',
          'setInterval',
          'clearInterval',
        ],
      });
    });

    afterEach(() => jest.useRealTimers());

    it.each([
      ['max-age', 'public, max-age=120', 120],
      ['bounded to one hour', 'public, max-age=86400', 3600],
      ['no shorter than the cooldown', 'no-store', 30],
    ])('follows Cache-Control %s', async (_name, cacheControl, seconds) => {
      server.cacheControl = cacheControl;
      const keys = resolver();
      await keys.refresh();
      const refresh = jest.spyOn(keys, 'refresh');
      jest.advanceTimersByTime(seconds * 1000 - 1);
      expect(refresh).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1);
      expect(refresh).toHaveBeenCalledTimes(1);
      await refresh.mock.results[0].value;
      expect(server.jwksHits).toBe(2);
    });
  });
});
