import { Logger } from '@nestjs/common';
import { ErrorCode, generateApiKey, hashApiKey, ManualClock } from '@keycard/common';
import { rejection } from '@keycard/testing';
import type { IntrospectionServer } from '../../testing/introspection-server';
import {
  activeKeyAnswer,
  CLIENT_ID,
  CLIENT_SECRET,
  startIntrospectionServer,
} from '../../testing/introspection-server';
import { IntrospectionApiKeyVerifier } from './introspection-api-key.verifier';

const TTL_SECONDS = 5;

describe('IntrospectionApiKeyVerifier', () => {
  let server: IntrospectionServer;
  let clock: ManualClock;
  let verifier: IntrospectionApiKeyVerifier;
  const key = generateApiKey('sk', 'live').key;

  const make = (
    overrides: Partial<ConstructorParameters<typeof IntrospectionApiKeyVerifier>[0]> = {},
  ) =>
    new IntrospectionApiKeyVerifier({
      issuer: server.url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      cacheTtlSeconds: TTL_SECONDS,
      clock,
      ...overrides,
    });

  beforeEach(async () => {
    server = await startIntrospectionServer();
    clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    verifier = make();
  });

  afterEach(() => server.close());

  it.each([
    ['a mistyped checksum', `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`],
    ['a changed random part', `${key.slice(0, 10)}${key[10] === 'x' ? 'y' : 'x'}${key.slice(11)}`],
    ['another prefix', `rk_live_${key.slice(8)}`],
    ['a short key', 'sk_live_abc'],
    ['an access token', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
    ['an empty string', ''],
  ])('refuses %s at once, without any network call', async (_what, candidate) => {
    await expect(verifier.verify(candidate)).resolves.toBeNull();
    expect(server.discoveries + server.introspections.length).toBe(0);
  });

  it('refuses a malformed key before any network call also when the caller passes its hash', async () => {
    const bad = `${key}x`;
    await expect(verifier.check(bad, hashApiKey(bad))).resolves.toBeNull();
    expect(server.discoveries + server.introspections.length).toBe(0);
  });

  it('asks the discovered introspection endpoint as a client (Basic) and maps the answer', async () => {
    const exp = Math.floor(clock.now() / 1000) + 3600;
    server.handler = () => ({ status: 200, body: activeKeyAnswer({ exp, rate_limit: 42 }) });
    const verified = await verifier.check(key);
    expect(verified).toEqual({
      principal: {
        sub: 'user-1',
        authType: 'api_key',
        roles: [],
        scopes: ['documents:read', 'documents:write'],
        scopeRestricted: true,
        tokenId: activeKeyAnswer()['key_id'],
        expiresAt: exp * 1000,
        environment: 'live',
      },
      rateLimit: 42,
    });
    expect(verifier.knownRateLimit(hashApiKey(key))).toBe(42);
    const [call] = server.introspections;
    expect(Object.fromEntries(new URLSearchParams(call.body))).toEqual({
      token: key,
      token_type_hint: 'api_key',
    });
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    expect(call.authorization).toBe(`Basic ${basic}`);
  });

  it('form-encodes client credentials with special characters (RFC 6749 §2.3.1)', async () => {
    verifier = make({ clientId: 'svc 1', clientSecret: 'p@ss+w%rd:ü' });
    await verifier.verify(key);
    const basic = server.introspections[0].authorization?.replace(/^Basic /, '') ?? '';
    expect(Buffer.from(basic, 'base64').toString()).toBe('svc+1:p%40ss%2Bw%25rd%3A%C3%BC');
  });

  it('caches an active answer for the TTL, then asks again (a revoked key stops within the TTL)', async () => {
    await expect(verifier.verify(key)).resolves.toMatchObject({ sub: 'user-1' });
    server.handler = () => ({ status: 200, body: { active: false } }); // revoked meanwhile
    clock.advance(TTL_SECONDS * 1000 - 1);
    await expect(verifier.verify(key)).resolves.toMatchObject({ sub: 'user-1' });
    expect(server.introspections).toHaveLength(1);
    clock.advance(1);
    await expect(verifier.verify(key)).resolves.toBeNull();
    expect(server.introspections).toHaveLength(2);
  });

  it('caches a negative answer for the TTL too, then asks again', async () => {
    server.handler = () => ({ status: 200, body: { active: false } });
    await expect(verifier.verify(key)).resolves.toBeNull();
    server.handler = () => ({ status: 200, body: activeKeyAnswer() });
    clock.advance(TTL_SECONDS * 1000 - 1);
    await expect(verifier.verify(key)).resolves.toBeNull();
    expect(server.introspections).toHaveLength(1);
    clock.advance(1);
    await expect(verifier.verify(key)).resolves.toMatchObject({ authType: 'api_key' });
    expect(server.introspections).toHaveLength(2);
  });

  it('never serves an answer past the key exp, even within the TTL', async () => {
    const exp = Math.floor(clock.now() / 1000) + 2;
    server.handler = () => ({ status: 200, body: activeKeyAnswer({ exp }) });
    await expect(verifier.verify(key)).resolves.not.toBeNull();
    clock.set(exp * 1000);
    await expect(verifier.verify(key)).resolves.toBeNull(); // asked again: exp has passed
    expect(server.introspections).toHaveLength(2);
  });

  it('refuses an active answer whose exp has already passed (clock skew)', async () => {
    const exp = Math.floor(clock.now() / 1000) - 1;
    server.handler = () => ({ status: 200, body: activeKeyAnswer({ exp }) });
    await expect(verifier.verify(key)).resolves.toBeNull();
  });

  it('refuses answers that are not API keys', async () => {
    server.handler = () => ({ status: 200, body: activeKeyAnswer({ token_type: 'access_token' }) });
    await expect(verifier.verify(key)).resolves.toBeNull();
  });

  it('shares one request among concurrent misses for the same key', async () => {
    server.delayMs = 50;
    const other = generateApiKey('pk', 'test').key;
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => verifier.verify(key)),
      verifier.verify(other),
    ]);
    expect(results.every((principal) => principal?.sub === 'user-1')).toBe(true);
    expect(server.introspections).toHaveLength(2); // one per distinct key
  });

  describe('re-checking a busy key ahead of its answer expiring (refreshIfDue)', () => {
    const hash = hashApiKey(key);
    /** What the authenticator does with a cached answer: read it, then start a re-check if due. */
    const readOnRequest = (candidate = key) => {
      const now = clock.now();
      const answer = verifier.cached(hashApiKey(candidate), now);
      const recheck = verifier.refreshIfDue(candidate, hashApiKey(candidate), now);
      return { answer, recheck };
    };
    const answerWithLimit = (rate_limit: number) => () => ({
      status: 200,
      body: activeKeyAnswer({ rate_limit }),
    });

    it('re-checks once, in the background, in the last fifth of the TTL: the answer never lapses', async () => {
      server.handler = answerWithLimit(42);
      await verifier.verify(key);
      clock.advance(TTL_SECONDS * 800 - 1);
      expect(readOnRequest()).toEqual({ answer: expect.objectContaining({ rateLimit: 42 }) });
      expect(server.introspections).toHaveLength(1);
      server.handler = answerWithLimit(43);
      clock.advance(1);
      const { answer, recheck } = readOnRequest();
      expect(answer).toMatchObject({ rateLimit: 42 });
      for (let i = 0; i < 4; i++)
        expect(readOnRequest()).toEqual({ answer: expect.objectContaining({ rateLimit: 42 }) });
      await recheck;
      expect(verifier.knownRateLimit(hash)).toBe(43);
      expect(server.introspections).toHaveLength(2);
      // Past the first answer's end, the renewed one is served without asking again.
      clock.advance(TTL_SECONDS * 200);
      expect(readOnRequest().answer).toMatchObject({ rateLimit: 43 });
      expect(server.introspections).toHaveLength(2);
    });

    it('stops a key revoked meanwhile as soon as the re-check answers, and never later than the TTL', async () => {
      await verifier.verify(key);
      server.handler = () => ({ status: 200, body: { active: false } });
      clock.advance(TTL_SECONDS * 800);
      const { answer, recheck } = readOnRequest();
      expect(answer).not.toBeNull();
      await recheck;
      expect(readOnRequest().answer).toBeNull();
      expect(server.introspections).toHaveLength(2);
    });

    it('lets the answer run out when the re-check fails, then fails closed with 503', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      await verifier.verify(key);
      await server.close();
      clock.advance(TTL_SECONDS * 800);
      const { answer, recheck } = readOnRequest();
      expect(answer).not.toBeNull();
      await recheck;
      expect(logged).toHaveBeenCalled();
      clock.advance(TTL_SECONDS * 200 - 1);
      expect(readOnRequest().answer).not.toBeNull();
      clock.advance(1);
      expect(readOnRequest().answer).toBeUndefined();
      expect((await rejection(verifier.verify(key))).code).toBe(ErrorCode.Unavailable);
      logged.mockRestore();
    });

    it('re-checks neither a known bad key, nor on a read alone, nor an answer ending at the key exp', async () => {
      server.handler = () => ({ status: 200, body: { active: false } });
      await verifier.verify(key);
      clock.advance(TTL_SECONDS * 900);
      expect(readOnRequest()).toEqual({ answer: null });
      clock.advance(TTL_SECONDS * 100);
      const exp = Math.floor(clock.now() / 1000) + 2; // ends before the TTL would
      server.handler = () => ({ status: 200, body: activeKeyAnswer({ exp }) });
      await verifier.verify(key);
      clock.advance(1900);
      expect(readOnRequest()).toEqual({
        answer: expect.objectContaining({ principal: expect.anything() }),
      });
      const other = generateApiKey('sk', 'live').key;
      server.handler = () => ({ status: 200, body: activeKeyAnswer() });
      await verifier.verify(other);
      clock.advance(TTL_SECONDS * 800);
      const read = verifier.cached(hashApiKey(other), clock.now()); // a read alone...
      expect(read).toMatchObject({ principal: { sub: 'user-1' } });
      const { recheck } = readOnRequest(other); // ...left the re-check due
      expect(recheck).toBeInstanceOf(Promise);
      expect(server.introspections).toHaveLength(3);
      await recheck;
      expect(server.introspections).toHaveLength(4);
    });
  });

  it('does not cache at all with a TTL of 0', async () => {
    verifier = make({ cacheTtlSeconds: 0 });
    await verifier.verify(key);
    await verifier.verify(key);
    expect(server.introspections).toHaveLength(2);
  });

  it('fails closed with 503 when the auth-service is down, and logs neither key nor hash', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await server.close();
    const error = await rejection(verifier.verify(key));
    expect(error.code).toBe(ErrorCode.Unavailable);
    expect(error.status).toBe(503);
    const lines = logged.mock.calls.map((call) => String(call[0])).join('\n');
    expect(lines).toMatch(/introspection failed/);
    expect(lines).not.toContain(key);
    expect(lines).not.toContain(hashApiKey(key));
    expect(JSON.stringify(error)).not.toContain(key);
    logged.mockRestore();
  });

  it('keeps serving a cached answer while the auth-service is down, until the TTL ends', async () => {
    await verifier.verify(key);
    await server.close();
    clock.advance(TTL_SECONDS * 1000 - 1);
    await expect(verifier.verify(key)).resolves.toMatchObject({ sub: 'user-1' });
    clock.advance(1);
    expect((await rejection(verifier.verify(key))).code).toBe(ErrorCode.Unavailable);
  });

  it.each([
    ['a 401 (wrong client credentials)', 401, { error: 'invalid_client' }],
    ['a 500', 500, { statusCode: 500 }],
    ['a body that is not an object', 200, ['active']],
    ['an active answer without sub', 200, activeKeyAnswer({ sub: undefined })],
    ['an active answer with a numeric scope', 200, activeKeyAnswer({ scope: 7 })],
    ['an active answer with an unknown environment', 200, activeKeyAnswer({ environment: 'prod' })],
  ])('answers 503, never accepts and never caches, on %s', async (_what, status, body) => {
    server.handler = () => ({ status, body });
    expect((await rejection(verifier.verify(key))).code).toBe(ErrorCode.Unavailable);
    server.handler = () => ({ status: 200, body: activeKeyAnswer() });
    await expect(verifier.verify(key)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('answers 503 when introspection does not answer within timeoutMs, then recovers', async () => {
    const impatient = make({ timeoutMs: 100 });
    await impatient.verify(generateApiKey('sk', 'live').key); // discovery, answered at once
    // Late, the answer would be an active key: only the timeout makes this a 503.
    server.delayMs = 1000;
    expect((await rejection(impatient.verify(key))).code).toBe(ErrorCode.Unavailable);
    server.delayMs = 0;
    await expect(impatient.verify(key)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('calls the internal URL for discovery and introspection, not the public issuer', async () => {
    await server.close();
    server = await startIntrospectionServer('https://auth.public.test');
    verifier = make({ issuer: 'https://auth.public.test/', internalUrl: server.url });
    await expect(verifier.verify(key)).resolves.toMatchObject({ sub: 'user-1' });
    expect(server.discoveries).toBe(1);
    expect(server.introspections).toHaveLength(1);
  });

  it('refuses a discovery document of another issuer (503)', async () => {
    verifier = make({ issuer: 'https://elsewhere.test', internalUrl: server.url });
    expect((await rejection(verifier.verify(key))).code).toBe(ErrorCode.Unavailable);
    expect(server.introspections).toHaveLength(0);
  });

  it('forgets the oldest answers beyond cacheMaxEntries', async () => {
    verifier = make({ cacheMaxEntries: 2 });
    const keys = [key, generateApiKey('sk', 'live').key, generateApiKey('sk', 'live').key];
    for (const each of keys) await verifier.verify(each);
    await verifier.verify(keys[2]);
    await verifier.verify(keys[1]);
    expect(server.introspections).toHaveLength(3);
    await verifier.verify(keys[0]);
    expect(server.introspections).toHaveLength(4);
  });
});
