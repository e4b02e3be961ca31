import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ApiKeyEnvironment } from '@keycard/common';
import { generateApiKey } from '@keycard/common';
import {
  getFrom,
  loopbackSubnet,
  startTestIssuer,
  type TestIssuer,
  testRedisUrl,
} from '@keycard/testing';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from './app.factory';

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
  'API_KEY_FAILURE_LIMIT',
  'API_KEY_ENVIRONMENTS',
] as const;

type Env = Partial<Record<(typeof ENV_KEYS)[number], string>>;

/** Runs the app with exactly `env` among the settings above, restoring the environment after. */
async function startApp(
  env: Env,
  trustProxy = false,
): Promise<{ app: NestFastifyApplication; restore(): void }> {
  const saved: Env = {};
  for (const key of ENV_KEYS) saved[key] = process.env[key];
  for (const key of ENV_KEYS) delete process.env[key];
  Object.assign(process.env, env);
  const app = await createApp({ logger: false, trustProxy });
  // Listening on 127.0.0.1, so requests from other loopback addresses come from other client IPs.
  await app.listen(0, '127.0.0.1');
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

/** A key the stand-in auth-service knows (answered as the auth-service would), owned by `key-owner`. */
function knownKey(
  issuer: TestIssuer,
  scope: string,
  extra: Record<string, unknown> = {},
  environment: ApiKeyEnvironment = 'test',
): string {
  const { key } = generateApiKey(scope.includes('write') ? 'sk' : 'pk', environment);
  issuer.apiKeys.set(key, {
    active: true,
    token_type: 'api_key',
    sub: 'key-owner',
    scope,
    key_id: randomUUID(),
    environment,
    rate_limit: 100,
    roles: [],
    ...extra,
  });
  return key;
}

/** GET /me with `key` from the client address `from` (and any other `headers`). */
function meFrom(
  app: NestFastifyApplication,
  from: string,
  key: string,
  headers: Record<string, string> = {},
) {
  const { port } = app.getHttpServer().address() as AddressInfo;
  return getFrom(port, from, '/me', { ...headers, 'x-api-key': key });
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

  const newKey = (scope: string, extra: Record<string, unknown> = {}) =>
    knownKey(issuer, scope, extra);

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

  it('GET /me answers authType api_key and the environment for a key, without RateLimit-* while most of its window is left', async () => {
    const response = await http().get('/me').set('X-API-Key', newKey('documents:read')).expect(200);
    expect(response.body).toEqual({
      sub: 'key-owner',
      roles: [],
      scope: 'documents:read',
      authType: 'api_key',
      environment: 'test',
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
    const before = issuer.introspections.length;
    await http()
      .get('/me')
      .set('X-API-Key', `${known.slice(0, -1)}~`)
      .expect(401);
    expect(issuer.introspections.length).toBe(before);
    const ignored = await http().get(`/me?api_key=${known}`).expect(401);
    expect(ignored.body.error).toBe('missing_credentials');
  });

  // Issue 14, finding 8: every random key with a valid checksum cost an introspection.
  it('answers 429 before introspection once one IP has sent API_KEY_FAILURE_LIMIT (20) bad keys', async () => {
    // A fresh subnet per run: with Redis, per-IP counters outlive the app by their window.
    const subnet = loopbackSubnet();
    const [attacker, neighbour] = [`${subnet}1`, `${subnet}2`];
    const cached = newKey('documents:read');
    expect((await meFrom(app, attacker, cached)).status).toBe(200);
    const before = issuer.introspections.length;
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++)
      statuses.push((await meFrom(app, attacker, generateApiKey('sk', 'live').key)).status);
    expect(statuses).toEqual([...Array(20).fill(401), ...Array(5).fill(429)]);
    expect(issuer.introspections.length - before).toBeLessThanOrEqual(20);
    const refused = await meFrom(app, attacker, generateApiKey('sk', 'live').key);
    expect(refused.body.error).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(issuer.introspections.length - before).toBeLessThanOrEqual(20);
    // A forged X-Forwarded-For buys no fresh budget (TRUST_PROXY is off)...
    const spoofed = await meFrom(app, attacker, generateApiKey('sk', 'live').key, {
      'x-forwarded-for': '203.0.113.9',
    });
    expect(spoofed.status).toBe(429);
    // ...the attacker's cached key still works, and another address is not affected.
    expect((await meFrom(app, attacker, cached)).status).toBe(200);
    expect((await meFrom(app, neighbour, generateApiKey('sk', 'live').key)).status).toBe(401);
    expect((await meFrom(app, neighbour, newKey('documents:read'))).status).toBe(200);
  });
});

describe('resource-service with TRUST_PROXY', () => {
  it('counts failed API keys per forwarded client IP behind a proxy', async () => {
    const issuer = await startTestIssuer();
    const dataDir = mkdtempSync(join(tmpdir(), 'resource-proxied-keys-'));
    const { app, restore } = await startApp(
      {
        AUTH_ISSUER: issuer.url,
        DATA_DIR: dataDir,
        AUTH_CLIENT_ID: 'resource-service-test',
        AUTH_CLIENT_SECRET: 'resource-service-test-secret',
        API_KEY_FAILURE_LIMIT: '3',
      },
      true,
    );
    try {
      const proxy = `${loopbackSubnet()}1`;
      const from = (client: string) => ({ 'x-forwarded-for': client });
      const guess = () => generateApiKey('sk', 'live').key;
      for (let i = 0; i < 3; i++)
        expect((await meFrom(app, proxy, guess(), from('198.51.100.7'))).status).toBe(401);
      expect((await meFrom(app, proxy, guess(), from('198.51.100.7'))).status).toBe(429);
      expect((await meFrom(app, proxy, guess(), from('198.51.100.8'))).status).toBe(401);
    } finally {
      await app.close();
      restore();
      await issuer.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

// Issue 14, finding 11: test keys acted on live data.
describe('resource-service with API_KEY_ENVIRONMENTS=live', () => {
  let app: NestFastifyApplication;
  let restore: () => void;
  let issuer: TestIssuer;
  let dataDir: string;

  beforeAll(async () => {
    issuer = await startTestIssuer();
    dataDir = mkdtempSync(join(tmpdir(), 'resource-live-keys-'));
    ({ app, restore } = await startApp({
      AUTH_ISSUER: issuer.url,
      DATA_DIR: dataDir,
      AUTH_CLIENT_ID: 'resource-service-test',
      AUTH_CLIENT_SECRET: 'resource-service-test-secret',
      API_KEY_ENVIRONMENTS: 'live',
    }));
  });

  afterAll(async () => {
    await app?.close();
    restore?.();
    await issuer.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a test key with 401 invalid_api_key without asking the auth-service', async () => {
    const testKey = knownKey(issuer, 'documents:read', {}, 'test');
    const before = issuer.introspections.length;
    const refused = await request(app.getHttpServer()).get('/me').set('X-API-Key', testKey);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_api_key');
    expect(issuer.introspections.length).toBe(before);
  });

  it('accepts a live key, whose /me says so', async () => {
    const liveKey = knownKey(issuer, 'documents:read', {}, 'live');
    const response = await request(app.getHttpServer()).get('/me').set('X-API-Key', liveKey);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ authType: 'api_key', environment: 'live' });
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
      expect(issuer.introspections.length).toBe(0);
    } finally {
      await app.close();
      restore();
      await issuer.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
