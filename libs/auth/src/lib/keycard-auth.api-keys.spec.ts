import type { INestApplication } from '@nestjs/common';
import { generateApiKey } from '@keycard/common';
import request from 'supertest';
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
import passport from 'passport';
import { Registry } from 'prom-client';
import { KEYCARD_API_KEYS } from './api-keys/api-key-setup';
import type { ApiKeyAuthenticator } from './api-keys/api-key.authenticator';
import { IntrospectionApiKeyVerifier } from './api-keys/introspection-api-key.verifier';

const KEY_ID = String(activeKeyAnswer()['key_id']);

/** Answers for specific keys; any other key gets the default active answer. */
function answers(server: IntrospectionServer, byKey: Map<string, Record<string, unknown>>) {
  server.handler = (token) => ({ status: 200, body: byKey.get(token) ?? activeKeyAnswer() });
}

async function appFor(
  platform: Platform,
  server: IntrospectionServer,
  apiKeys: Partial<ApiKeyOptions> = {},
): Promise<INestApplication> {
  return createGuardTestApp(platform, {
    issuer: server.url,
    keyResolver: new StaticKeyResolver(),
    apiKeys: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, usage: false, ...apiKeys },
  });
}

describe.each<Platform>(['express', 'fastify'])('API keys through the guard (%s)', (platform) => {
  let server: IntrospectionServer;
  let app: INestApplication;
  const byKey = new Map<string, Record<string, unknown>>();
  const newKey = (answer: Record<string, unknown> = {}) => {
    const { key } = generateApiKey('sk', 'live');
    byKey.set(key, activeKeyAnswer(answer));
    return key;
  };
  const get = (path: string, key?: string) => {
    const call = request(app.getHttpServer()).get(path);
    return key === undefined ? call : call.set('X-API-Key', key);
  };

  beforeAll(async () => {
    server = await startIntrospectionServer();
    answers(server, byKey);
    // A TTL of 0: every request that reaches verification introspects, so the counts below show
    // exactly which requests did.
    app = await appFor(platform, server, {
      cacheTtlSeconds: 0,
      rateLimit: { defaultPerMinute: 5 },
    });
  });

  afterAll(async () => {
    await app?.close();
    await server.close();
  });

  beforeEach(() => {
    server.introspections.length = 0;
    server.handler = (token) => ({ status: 200, body: byKey.get(token) ?? activeKeyAnswer() });
  });

  it('accepts a good key as an api_key principal, quiet about a window mostly left', async () => {
    const key = newKey({ rate_limit: 50 });
    const response = await get('/me', key).expect(200);
    expect(response.body).toMatchObject({
      sub: 'user-1',
      authType: 'api_key',
      roles: [],
      scopeRestricted: true,
      tokenId: KEY_ID,
    });
    for (const name of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'])
      expect(response.headers[name]).toBeUndefined();
    expect(JSON.stringify(response.body)).not.toContain(key);
  });

  it('says where the window stands once more than half of it is used', async () => {
    const key = newKey({ rate_limit: 4 });
    for (let i = 0; i < 2; i++)
      expect((await get('/me', key).expect(200)).headers['ratelimit-limit']).toBeUndefined();
    const response = await get('/me', key).expect(200);
    expect(response.headers['ratelimit-limit']).toBe('4');
    expect(response.headers['ratelimit-remaining']).toBe('1');
    expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    expect(Number(response.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
  });

  it("applies the key's own limit: 429 with Retry-After, counted before introspection", async () => {
    const key = newKey({ rate_limit: 3 });
    const remaining: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++)
      remaining.push((await get('/me', key).expect(200)).headers['ratelimit-remaining']);
    expect(remaining).toEqual([undefined, '1', '0']);
    expect(server.introspections).toHaveLength(3);
    const refused = await get('/me', key).expect(429);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'rate_limited' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers['ratelimit-limit']).toBe('3');
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(refused.headers['ratelimit-reset']).toBe(refused.headers['retry-after']);
    expect(server.introspections).toHaveLength(3); // refused without asking the auth-service
  });

  it('uses the default limit for a key without its own', async () => {
    const key = newKey({ rate_limit: undefined });
    for (let i = 0; i < 5; i++) await get('/me', key).expect(200);
    const refused = await get('/me', key).expect(429);
    expect(refused.headers['ratelimit-limit']).toBe('5');
  });

  it('holds a key to its own limit even when its first requests arrive together', async () => {
    const key = newKey({ rate_limit: 2 });
    const statuses = await Promise.all(
      Array.from({ length: 6 }, async () => (await get('/me', key)).status),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(2);
    expect(statuses.filter((status) => status === 429)).toHaveLength(4);
  });

  it('refuses a key with a bad checksum at once: 401, no introspection', async () => {
    const key = newKey();
    const mistyped = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
    const response = await get('/me', mistyped).expect(401);
    expect(response.body.error).toBe('invalid_api_key');
    expect(server.introspections).toHaveLength(0);
  });

  it('refuses an inactive key with 401 invalid_api_key', async () => {
    const key = newKey();
    byKey.set(key, { active: false });
    const response = await get('/me', key).expect(401);
    expect(response.body.error).toBe('invalid_api_key');
  });

  it('answers 503, not 500 and never 200, when the auth-service cannot answer', async () => {
    server.handler = () => ({ status: 500, body: { statusCode: 500 } });
    const response = await get('/me', newKey()).expect(503);
    expect(response.body).toEqual({
      statusCode: 503,
      error: 'unavailable',
      message: 'Service unavailable',
    });
  });

  it('enforces @Scopes on API keys (403), still telling the window', async () => {
    const key = newKey({ scope: 'documents:read', rate_limit: 1 });
    const response = await get('/write', key).expect(403);
    expect(response.body.error).toBe('insufficient_scope');
    expect(response.headers['ratelimit-limit']).toBeDefined();
  });

  it('never reads a key from the query string', async () => {
    const key = newKey();
    const response = await get(`/me?api_key=${key}&x-api-key=${key}`).expect(401);
    expect(response.body.error).toBe('missing_credentials');
    expect(server.introspections).toHaveLength(0);
  });
});

describe.each<Platform>(['express', 'fastify'])("rateLimit.headers 'always' (%s)", (platform) => {
  let server: IntrospectionServer;
  let app: INestApplication;

  beforeAll(async () => {
    server = await startIntrospectionServer();
    server.handler = () => ({ status: 200, body: activeKeyAnswer({ rate_limit: 50 }) });
    app = await appFor(platform, server, { rateLimit: { headers: 'always' } });
  });

  afterAll(async () => {
    await app?.close();
    await server.close();
  });

  it('tells the window on every answer, the first one and cached ones included', async () => {
    const { key } = generateApiKey('sk', 'live');
    const remaining: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await request(app.getHttpServer())
        .get('/me')
        .set('X-API-Key', key)
        .expect(200);
      expect(response.headers['ratelimit-limit']).toBe('50');
      remaining.push(response.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['49', '48', '47']);
  });

  it('refuses an unknown policy at start-up', async () => {
    await expect(
      appFor(platform, server, {
        rateLimit: { headers: 'sometimes' as unknown as 'always' },
      }),
    ).rejects.toThrow(/apiKeys\.rateLimit\.headers must be one of always, near-limit/);
  });
});

describe('API key usage through the guard', () => {
  it('reports admitted requests per key at shutdown, as the service client', async () => {
    const server = await startIntrospectionServer();
    const app = await appFor('fastify', server, { usage: { flushIntervalSeconds: 3600 } });
    const { key } = generateApiKey('sk', 'live');
    const { key: readOnly } = generateApiKey('pk', 'live');
    server.handler = (token) => ({
      status: 200,
      body:
        token === readOnly
          ? activeKeyAnswer({
              key_id: 'd5f0c1e2-0000-4000-8000-000000000001',
              scope: 'documents:read',
            })
          : activeKeyAnswer(),
    });
    try {
      for (let i = 0; i < 3; i++)
        await request(app.getHttpServer()).get('/me').set('X-API-Key', key).expect(200);
      // Refused requests are not usage.
      await request(app.getHttpServer()).get('/write').set('X-API-Key', readOnly).expect(403);
      await request(app.getHttpServer()).get('/me').set('X-API-Key', `${key}x`).expect(401);
      expect(server.usageReports).toHaveLength(0); // nothing sent per request
    } finally {
      await app.close();
    }
    await server.close();
    expect(server.usageReports).toHaveLength(1);
    const { reports } = JSON.parse(server.usageReports[0].body);
    expect(reports).toEqual([
      {
        keyId: KEY_ID,
        day: new Date().toISOString().slice(0, 10),
        count: 3,
        lastUsedAt: expect.any(String),
      },
    ]);
    expect(server.usageReports[0].body).not.toContain(key);
  });

  it('shows the lines waiting in keycard_api_key_usage_pending until the auth-service takes them', async () => {
    const server = await startIntrospectionServer();
    const registry = new Registry();
    const app = await appFor('fastify', server, {
      usage: { flushIntervalSeconds: 3600, metricsRegistry: registry },
    });
    const reporter = app.get<ApiKeyAuthenticator>(KEYCARD_API_KEYS).usage;
    const pending = async () => {
      const gauge = registry.getSingleMetric('keycard_api_key_usage_pending');
      return (await gauge?.get())?.values[0]?.value;
    };
    try {
      expect(await pending()).toBe(0);
      const { key } = generateApiKey('sk', 'live');
      for (let i = 0; i < 2; i++)
        await request(app.getHttpServer()).get('/me').set('X-API-Key', key).expect(200);
      expect(await pending()).toBe(1); // one key, one day
      server.usageStatus = 503;
      await reporter?.flush();
      expect(server.usageReports).toHaveLength(1);
      expect(await pending()).toBe(1); // kept for the next flush
      server.usageStatus = 204;
      await reporter?.flush();
      expect(server.usageReports).toHaveLength(2);
      expect(await pending()).toBe(0);
    } finally {
      await app.close();
      await server.close();
    }
  });
});

describe.each<Platform>(['express', 'fastify'])(
  'the expensive check of a key: introspection, without passport (%s)',
  (platform) => {
    let server: IntrospectionServer;
    let app: INestApplication;
    let check: jest.SpyInstance;

    beforeAll(async () => {
      server = await startIntrospectionServer();
      server.handler = () => ({ status: 200, body: activeKeyAnswer() });
      app = await appFor(platform, server, { cacheTtlSeconds: 60 });
      check = jest.spyOn(IntrospectionApiKeyVerifier.prototype, 'check');
    });

    afterAll(async () => {
      check.mockRestore();
      await app?.close();
      await server.close();
    });

    beforeEach(() => check.mockClear());

    it('registers nothing with passport (its strategies are one registry per process)', () => {
      // passport keeps its strategies in a private map; the guard calls its verifiers directly.
      const registered = (name: string) =>
        (passport as unknown as { _strategy(name: string): unknown })._strategy(name);
      expect(registered('keycard-api-key')).toBeUndefined();
      expect(registered('keycard-jwt')).toBeUndefined();
    });

    it('verifies a key not yet cached, and a cached key skips it', async () => {
      const { key } = generateApiKey('sk', 'live');
      const http = () => request(app.getHttpServer()).get('/me').set('X-API-Key', key);
      await http().expect(200);
      expect(check).toHaveBeenCalledTimes(1);
      expect(check.mock.calls[0][0]).toBe(key);
      await http().expect(200);
      await http().expect(200);
      expect(check).toHaveBeenCalledTimes(1);
      expect(server.introspections).toHaveLength(1);
    });

    it('turns its "not accepted" into 401 invalid_api_key', async () => {
      const { key } = generateApiKey('pk', 'test');
      server.handler = () => ({ status: 200, body: { active: false } });
      try {
        const response = await request(app.getHttpServer())
          .get('/me')
          .set('X-API-Key', key)
          .expect(401);
        expect(response.body.error).toBe('invalid_api_key');
        expect(check).toHaveBeenCalledTimes(1);
      } finally {
        server.handler = () => ({ status: 200, body: activeKeyAnswer() });
      }
    });

    it('still counts a cached key: its window goes down, then 429 with no introspection', async () => {
      const { key } = generateApiKey('sk', 'test');
      server.handler = () => ({ status: 200, body: activeKeyAnswer({ rate_limit: 3 }) });
      server.introspections.length = 0;
      try {
        const http = () => request(app.getHttpServer()).get('/me').set('X-API-Key', key);
        const remaining: (string | undefined)[] = [];
        for (let i = 0; i < 3; i++)
          remaining.push((await http().expect(200)).headers['ratelimit-remaining']);
        expect(remaining).toEqual([undefined, '1', '0']);
        const refused = await http().expect(429);
        expect(refused.headers['retry-after']).toBeDefined();
        expect(refused.headers['ratelimit-limit']).toBe('3');
        expect(server.introspections).toHaveLength(1); // the first request; the rest were cached
      } finally {
        server.handler = () => ({ status: 200, body: activeKeyAnswer() });
      }
    });

    it('is not reached for a mistyped key (checksum refused first)', async () => {
      const { key } = generateApiKey('sk', 'live');
      const mistyped = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
      await request(app.getHttpServer()).get('/me').set('X-API-Key', mistyped).expect(401);
      expect(check).not.toHaveBeenCalled();
    });
  },
);
