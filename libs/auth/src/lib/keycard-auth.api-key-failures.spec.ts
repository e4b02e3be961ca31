import type { INestApplication } from '@nestjs/common';
import type { ApiKeyEnvironment } from '@keycard/common';
import { generateApiKey } from '@keycard/common';
import type { AddressedResponse } from '@keycard/testing';
import { getFrom as getFromAddress } from '@keycard/testing';
import type { AddressInfo } from 'node:net';
import { StaticKeyResolver } from '../testing/fixtures';
import type { Platform } from '../testing/guard-app';
import { createGuardTestApp } from '../testing/guard-app';
import type { IntrospectionServer } from '../testing/introspection-server';
import {
  activeKeyAnswer,
  CLIENT_ID,
  CLIENT_SECRET,
  startIntrospectionServer,
} from '../testing/introspection-server';
import type { ApiKeyOptions } from './options';

/*
 * Issue 14, findings 8 and 11. Checksums are public, so random well-formed keys each cost an
 * introspection unless failures are counted per client IP; and a test key must be refusable at a
 * service that serves live data. Requests come from several loopback addresses (127.0.0.x), so
 * the client IP is the real socket address, as a service without a proxy sees it.
 */

type Answer = AddressedResponse;

/** GET `path` with `X-API-Key: key`, sent from the local address `from`. */
function getFrom(app: INestApplication, from: string, path: string, key: string): Promise<Answer> {
  const { port } = app.getHttpServer().address() as AddressInfo;
  return getFromAddress(port, from, path, { 'x-api-key': key });
}

const randomKey = (environment: ApiKeyEnvironment = 'live') =>
  generateApiKey('sk', environment).key;

async function listeningApp(
  platform: Platform,
  server: IntrospectionServer,
  apiKeys: Partial<ApiKeyOptions>,
): Promise<INestApplication> {
  const app = await createGuardTestApp(platform, {
    issuer: server.url,
    keyResolver: new StaticKeyResolver(),
    apiKeys: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, usage: false, ...apiKeys },
  });
  await app.listen(0, '127.0.0.1');
  return app;
}

describe.each<Platform>(['express', 'fastify'])(
  'API-key failures per client IP (%s)',
  (platform) => {
    const LIMIT = 20;
    let server: IntrospectionServer;
    let app: INestApplication;
    /** Keys the stand-in auth-service knows; any other key is `{active: false}`. */
    const known = new Map<string, Record<string, unknown>>();
    const goodKey = () => {
      const key = randomKey();
      known.set(key, activeKeyAnswer());
      return key;
    };
    const introspected = (keys: string[]) =>
      server.introspections.filter((call) =>
        keys.includes(new URLSearchParams(call.body).get('token') ?? ''),
      ).length;

    beforeAll(async () => {
      server = await startIntrospectionServer();
      server.handler = (token) => ({ status: 200, body: known.get(token) ?? { active: false } });
      app = await listeningApp(platform, server, { rateLimit: { failuresPerIp: LIMIT } });
    });

    afterAll(async () => {
      await app?.close();
      await server.close();
    });

    it('answers 429 with Retry-After before introspection once an IP has spent its failures', async () => {
      const cachedKey = goodKey();
      expect((await getFrom(app, '127.0.0.2', '/me', cachedKey)).status).toBe(200);
      const guesses = Array.from({ length: LIMIT + 10 }, () => randomKey());
      const answers: Answer[] = [];
      for (const guess of guesses) answers.push(await getFrom(app, '127.0.0.2', '/me', guess));
      expect(answers.slice(0, LIMIT).map((answer) => answer.body['error'])).toEqual(
        Array(LIMIT).fill('invalid_api_key'),
      );
      for (const refused of answers.slice(LIMIT)) {
        expect(refused).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      }
      expect(introspected(guesses)).toBeLessThanOrEqual(LIMIT);
      // A key whose answer is cached costs nothing and still works from that IP...
      expect((await getFrom(app, '127.0.0.2', '/me', cachedKey)).status).toBe(200);
      // ...a key not cached would cost an introspection, so it waits like the guesses...
      const fresh = goodKey();
      expect((await getFrom(app, '127.0.0.2', '/me', fresh)).status).toBe(429);
      expect(introspected([fresh])).toBe(0);
      // ...and another address is not affected.
      expect((await getFrom(app, '127.0.0.3', '/me', randomKey())).status).toBe(401);
      expect((await getFrom(app, '127.0.0.3', '/me', fresh)).status).toBe(200);
    });

    it('holds guesses that arrive together to the limit', async () => {
      const guesses = Array.from({ length: 3 * LIMIT }, () => randomKey());
      const answers = await Promise.all(
        guesses.map((guess) => getFrom(app, '127.0.0.4', '/me', guess)),
      );
      expect(introspected(guesses)).toBeLessThanOrEqual(LIMIT);
      expect(answers.filter((answer) => answer.status === 401)).toHaveLength(introspected(guesses));
      expect(answers.filter((answer) => answer.status === 429)).toHaveLength(
        3 * LIMIT - introspected(guesses),
      );
    });

    it('does not count good keys, however many an IP uses', async () => {
      for (let i = 0; i < 2 * LIMIT; i++)
        expect((await getFrom(app, '127.0.0.5', '/me', goodKey())).status).toBe(200);
      const guesses = Array.from({ length: LIMIT }, () => randomKey());
      for (const guess of guesses)
        expect((await getFrom(app, '127.0.0.5', '/me', guess)).status).toBe(401);
      expect((await getFrom(app, '127.0.0.5', '/me', randomKey())).status).toBe(429);
    });
  },
);

describe.each<Platform>(['express', 'fastify'])('API-key environments (%s)', (platform) => {
  let server: IntrospectionServer;
  let liveOnly: INestApplication;
  let both: INestApplication;
  const keyOf = (environment: ApiKeyEnvironment) => {
    const key = randomKey(environment);
    answers.set(key, activeKeyAnswer({ environment }));
    return key;
  };
  const answers = new Map<string, Record<string, unknown>>();

  beforeAll(async () => {
    server = await startIntrospectionServer();
    server.handler = (token) => ({ status: 200, body: answers.get(token) ?? { active: false } });
    liveOnly = await listeningApp(platform, server, { environments: ['live'] });
    both = await listeningApp(platform, server, {});
  });

  afterAll(async () => {
    await liveOnly?.close();
    await both?.close();
    await server.close();
  });

  it('refuses a test key at a live-only service with 401 invalid_api_key, before any lookup', async () => {
    const testKey = keyOf('test');
    const before = server.introspections.length;
    const refused = await getFrom(liveOnly, '127.0.0.2', '/me', testKey);
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_api_key' } });
    expect(server.introspections).toHaveLength(before);
  });

  it.each<[string, () => INestApplication, ApiKeyEnvironment]>([
    ['a live key at a live-only service', () => liveOnly, 'live'],
    ['a live key where both are accepted (the default)', () => both, 'live'],
    ['a test key where both are accepted (the default)', () => both, 'test'],
  ])('puts the environment of %s on the principal', async (_case, app, environment) => {
    const answer = await getFrom(app(), '127.0.0.2', '/me', keyOf(environment));
    expect(answer).toMatchObject({ status: 200, body: { authType: 'api_key', environment } });
  });
});
