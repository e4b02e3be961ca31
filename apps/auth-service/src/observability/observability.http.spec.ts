import {
  getOnFreshConnection as get,
  itAnswersTheProbes,
  itIsNotReadyWithoutItsDatabase,
  itServesTheOpenApiDocument,
  metricSample,
  refusesConnections,
  testRedisUrl,
} from '@keycard/testing';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { KeysService } from '../keys/keys.service';
import type { RedisClient } from '../redis/redis.client';
import { REDIS_CLIENT } from '../redis/redis.client';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import { createUser, PASSWORD, signIn, startSessionApp } from '../sessions/sessions.test-kit';

const SERVICE = { id: 'metrics-test-client', secret: 'metrics-test-client-secret-0123456789' };
const redisUrl = testRedisUrl();

/** The value of one series in Prometheus text (0 when absent), e.g. `keycard_refresh_reuse_detected_total`. */
const sample = (text: string, series: string): number => metricSample(text, series) ?? 0;

const series = (name: string, labels = '') =>
  `${name}{${labels}${labels ? ',' : ''}service="auth-service"}`;

describe('auth-service observability over HTTP (the whole AppModule)', () => {
  let t: SessionTestApp;
  const http = () => request(t.http);
  const scrape = async () => (await http().get('/metrics').expect(200)).text;

  beforeAll(async () => {
    t = await startSessionApp({
      BOOTSTRAP_CLIENTS: `${SERVICE.id}:${SERVICE.secret}`,
      REFRESH_REUSE_INTERVAL: '0s',
      LOGIN_MAX_FAILURES: '2',
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    });
  });

  afterAll(() => t?.close());

  itAnswersTheProbes('auth-service', () => t.http, { redis: redisUrl !== undefined });

  it('counts issued credentials by kind, refresh reuse, failed logins and login lockouts', async () => {
    const before = await scrape();
    const user = await createUser(t);
    const login = await http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(200);
    const { accessToken, refreshToken } = login.body as {
      accessToken: string;
      refreshToken: string;
    };
    // The key first: the reuse below revokes the login, and its access token with it.
    await http()
      .post('/api-keys')
      .set('Authorization', `Bearer ${accessToken}`)
      .send({ name: 'metrics' })
      .expect(201);
    await http().post('/auth/refresh').send({ refreshToken }).expect(200);
    await http().post('/auth/refresh').send({ refreshToken }).expect(401); // reuse
    await signIn(t, user);
    await http()
      .post('/oauth/token')
      .auth(SERVICE.id, SERVICE.secret)
      .type('form')
      .send({ grant_type: 'client_credentials' })
      .expect(200);
    const victim = await createUser(t);
    for (let attempt = 0; attempt < 2; attempt++) {
      await http()
        .post('/auth/login')
        .send({ email: victim.email, password: 'wrong!' })
        .expect(401);
    }
    await http().post('/auth/login').send({ email: victim.email, password: 'wrong!' }).expect(429);

    const after = await scrape();
    const moved = (name: string, labels = '') =>
      sample(after, series(name, labels)) - sample(before, series(name, labels));
    const issued = (kind: string) => moved('keycard_tokens_issued_total', `kind="${kind}"`);
    // password login, one refresh and the client_credentials grant
    expect(issued('access')).toBe(3);
    expect(issued('refresh')).toBe(2); // login, one rotation
    expect(issued('api_key')).toBe(1);
    expect(issued('session')).toBe(1);
    expect(issued('client_credentials')).toBe(1);
    expect(moved('keycard_refresh_reuse_detected_total')).toBe(1);
    expect(moved('keycard_auth_failures_total', 'reason="invalid_credentials"')).toBe(2);
    expect(moved('keycard_rate_limited_total', 'limiter="login"')).toBe(1);
    expect(after).toMatch(
      /^http_requests_total\{method="POST",route="\/auth\/login",status="200",service="auth-service"\} \d+$/m,
    );
  });

  it('reports the age of the active signing key, read at each scrape', async () => {
    const text = await scrape();
    expect(text).toContain('# TYPE keycard_signing_key_age_seconds gauge');
    const age = sample(text, series('keycard_signing_key_age_seconds'));
    expect(age).toBeGreaterThanOrEqual(0);
    t.clock.advance(90_000);
    expect(sample(await scrape(), series('keycard_signing_key_age_seconds'))).toBe(age + 90);
  });

  itServesTheOpenApiDocument(
    () => t.http,
    ['/auth/login', '/auth/register', '/oauth/token', '/api-keys'],
    (schemas) => {
      expect(schemas.CreateApiKeyDto.required).toEqual(['name']);
      expect(schemas.OAuthTokenRequestDoc.required).toEqual(['grant_type']);
    },
  );

  it('describes the login body with its DTO schema', async () => {
    const { body } = await http().get('/docs-json').expect(200);
    const login = body.components.schemas.LoginDto;
    expect(Object.keys(login.properties).sort()).toEqual(['email', 'password']);
    expect(login.required).toEqual(['email', 'password']);
    const loginBody = body.paths['/auth/login'].post.requestBody.content['application/json'];
    expect(loginBody.schema.$ref).toBe('#/components/schemas/LoginDto');
  });

  itIsNotReadyWithoutItsDatabase(
    () => t.http,
    () => t.app.get(DataSource),
  );

  // Sessions and sign-in throttling need Redis, so the auth-service is not ready without it.
  // Needs a real Redis to close: CI sets TEST_REDIS_URL; without it this test is skipped.
  (redisUrl ? it : it.skip)('answers 503 naming Redis once its client is closed', async () => {
    const redis = t.app.get<symbol, RedisClient>(REDIS_CLIENT, { strict: false });
    await redis.close();
    const response = await http().get('/health/ready').expect(503);
    expect(response.body.error.redis.status).toBe('down');
  });
});

describe('auth-service metrics token and shutdown', () => {
  let t: SessionTestApp;
  let closed: Promise<void> | undefined;

  beforeEach(async () => {
    closed = undefined;
    t = await startSessionApp({ METRICS_TOKEN: 'auth-scrape-token-0123456789' });
  });

  afterEach(() => closed ?? t.close());

  it('needs METRICS_TOKEN as a bearer token on /metrics when it is set', async () => {
    const refused = await request(t.http).get('/metrics').expect(401);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    await request(t.http)
      .get('/metrics')
      .set('Authorization', 'Bearer nope-nope-nope-nope')
      .expect(401);
    const ok = await request(t.http)
      .get('/metrics')
      .set('Authorization', 'Bearer auth-scrape-token-0123456789')
      .expect(200);
    expect(ok.text).toContain('# TYPE keycard_tokens_issued_total counter');
  });

  it('finishes a request in flight after close() while refusing new connections', async () => {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const keys = t.app.get(KeysService);
    const jwks = keys.jwks.bind(keys);
    jest.spyOn(keys, 'jwks').mockImplementation(async () => {
      entered();
      await gate;
      return jwks();
    });
    const inFlight = get(port, '/.well-known/jwks.json');
    await inside;
    closed = t.close();
    try {
      expect(await refusesConnections(port)).toBe(true);
    } finally {
      release();
    }
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).keys.length).toBeGreaterThan(0);
    await closed;
  });
});
