import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { generateApiKey } from '@keycard/common';
import { testRedisUrl } from '@keycard/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from './app.factory';
import { startTestIssuer, TestIssuer } from './testing/jwks-server';

const ENV_KEYS = [
  'AUTH_ISSUER',
  'AUTH_INTERNAL_URL',
  'DATA_DIR',
  'RESOURCE_DATABASE_URL',
  'REDIS_URL',
  'AUTH_CLIENT_ID',
  'AUTH_CLIENT_SECRET',
  'API_KEY_CACHE_TTL',
  'API_KEY_RATE_LIMIT',
] as const;

type Env = Partial<Record<(typeof ENV_KEYS)[number], string>>;

/** Runs the app with exactly `env` among the settings above, restoring the environment after. */
async function startApp(env: Env): Promise<{ app: NestFastifyApplication; restore(): void }> {
  const saved: Env = {};
  for (const key of ENV_KEYS) saved[key] = process.env[key];
  for (const key of ENV_KEYS) delete process.env[key];
  Object.assign(process.env, env);
  const app = await createApp({ logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    restore: () => {
      for (const key of ENV_KEYS) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    },
  };
}

// In process always; through Redis too when TEST_REDIS_URL is set.
const stores: [string, string | undefined][] = [['in-process limits', undefined]];
const redisUrl = testRedisUrl();
if (redisUrl) stores.push(['Redis limits', redisUrl]);

describe.each(stores)('resource-service with API keys (%s)', (_name, redis) => {
  let app: NestFastifyApplication;
  let restore: () => void;
  let issuer: TestIssuer;
  let dataDir: string;
  const http = () => request(app.getHttpServer());

  /** A key the stand-in auth-service knows, owned by `sub`. */
  const newKey = (scope: string, extra: Record<string, unknown> = {}) => {
    const { key } = generateApiKey(scope.includes('write') ? 'sk' : 'pk', 'test');
    issuer.apiKeys.set(key, {
      active: true,
      token_type: 'api_key',
      sub: 'key-owner',
      scope,
      key_id: randomUUID(),
      rate_limit: 100,
      roles: [],
      ...extra,
    });
    return key;
  };

  beforeAll(async () => {
    issuer = await startTestIssuer();
    dataDir = mkdtempSync(join(tmpdir(), 'resource-api-keys-'));
    ({ app, restore } = await startApp({
      AUTH_ISSUER: issuer.url,
      DATA_DIR: dataDir,
      AUTH_CLIENT_ID: 'resource-service-test',
      AUTH_CLIENT_SECRET: 'resource-service-test-secret',
      API_KEY_RATE_LIMIT: '50',
      ...(redis ? { REDIS_URL: redis } : {}),
    }));
  });

  afterAll(async () => {
    await app?.close();
    restore?.();
    await issuer.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('GET /me answers authType api_key for a key, without RateLimit-* while most of its window is left', async () => {
    const response = await http().get('/me').set('X-API-Key', newKey('documents:read')).expect(200);
    expect(response.body).toEqual({
      sub: 'key-owner',
      roles: [],
      scope: 'documents:read',
      authType: 'api_key',
    });
    expect(response.headers['ratelimit-limit']).toBeUndefined();
    expect(response.headers['ratelimit-remaining']).toBeUndefined();
  });

  it('lets a documents:read key list documents but not create one (403)', async () => {
    const reader = newKey('documents:read');
    await http().get('/documents').set('X-API-Key', reader).expect(200);
    const denied = await http()
      .post('/documents')
      .set('X-API-Key', reader)
      .send({ title: 't', body: '' })
      .expect(403);
    expect(denied.body.error).toBe('insufficient_scope');
  });

  it("creates a document as the key's owner with documents:write", async () => {
    const writer = newKey('documents:read documents:write');
    const created = await http()
      .post('/documents')
      .set('X-API-Key', writer)
      .send({ title: 'From a key', body: 'x' })
      .expect(201);
    expect(created.body.ownerId).toBe('key-owner');
  });

  it("answers 429 with Retry-After over the key's own limit", async () => {
    const key = newKey('documents:read', { rate_limit: 2 });
    await http().get('/me').set('X-API-Key', key).expect(200);
    await http().get('/me').set('X-API-Key', key).expect(200);
    const refused = await http().get('/me').set('X-API-Key', key).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers['ratelimit-remaining']).toBe('0');
  });

  it('applies API_KEY_RATE_LIMIT to a key without its own limit, telling it once half is used', async () => {
    const key = newKey('documents:read', { rate_limit: undefined });
    for (let i = 1; i <= 25; i++) {
      const quiet = await http().get('/me').set('X-API-Key', key).expect(200);
      expect(quiet.headers['ratelimit-limit']).toBeUndefined();
    }
    const told = await http().get('/me').set('X-API-Key', key).expect(200);
    expect(told.headers['ratelimit-limit']).toBe('50');
    expect(told.headers['ratelimit-remaining']).toBe('24');
  });

  it('refuses unknown, mistyped and query-string keys with 401', async () => {
    const { key: unknown } = generateApiKey('sk', 'live');
    expect((await http().get('/me').set('X-API-Key', unknown).expect(401)).body.error).toBe(
      'invalid_api_key',
    );
    const known = newKey('documents:read');
    const before = issuer.introspections;
    await http()
      .get('/me')
      .set('X-API-Key', `${known.slice(0, -1)}~`)
      .expect(401);
    expect(issuer.introspections).toBe(before);
    const ignored = await http().get(`/me?api_key=${known}`).expect(401);
    expect(ignored.body.error).toBe('missing_credentials');
  });
});

describe('resource-service without AUTH_CLIENT_ID', () => {
  it('does not accept API keys at all (401 missing_credentials)', async () => {
    const issuer = await startTestIssuer();
    const dataDir = mkdtempSync(join(tmpdir(), 'resource-no-keys-'));
    const { app, restore } = await startApp({ AUTH_ISSUER: issuer.url, DATA_DIR: dataDir });
    try {
      const { key } = generateApiKey('sk', 'live');
      const response = await request(app.getHttpServer()).get('/me').set('X-API-Key', key);
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('missing_credentials');
      expect(issuer.introspections).toBe(0);
    } finally {
      await app.close();
      restore();
      await issuer.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
