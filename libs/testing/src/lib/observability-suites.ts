import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import type { ServiceAppUnderTest } from './service-app';

// `it`s every service's observability spec shares, declared inside the caller's `describe` so that
// they run against the app it started once. What differs from service to service is a parameter.

/** What supertest sends requests to (`app.getHttpServer()`). */
export type HttpTarget = Parameters<typeof request>[0];

/** The value of one series in Prometheus text (undefined when absent), e.g. `x_total{a="b"}`. */
export function metricSample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((row) => row.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * GET /health, /health/live (naming `service`) and /health/ready (the database; Redis exactly
 * when `redis` (default false), up), and X-Request-Id: a valid one echoed, another replaced by a UUID.
 */
export function itAnswersTheProbes(
  service: string,
  server: () => HttpTarget,
  options: { redis: boolean } = { redis: false },
): void {
  const http = () => request(server());
  const checks = options.redis ? 'database and Redis' : 'the database';
  it(`keeps GET /health and adds /health/live and /health/ready (${checks})`, async () => {
    await http().get('/health').expect(200, { status: 'ok' });
    await http().get('/health/live').expect(200, { status: 'ok', service });
    const ready = await http().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.info.database.status).toBe('up');
    if (options.redis) expect(ready.body.info.redis.status).toBe('up');
    else expect(ready.body.info.redis).toBeUndefined();
  });

  it('echoes a valid X-Request-Id and makes one otherwise', async () => {
    const echoed = await http().get('/health').set('X-Request-Id', 'trace-42.a_b').expect(200);
    expect(echoed.headers['x-request-id']).toBe('trace-42.a_b');
    const made = await http().get('/health').set('X-Request-Id', 'bad id').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
}

/**
 * The OpenAPI document at /docs-json (with at least `paths`, the bearer, API-key and session
 * schemes, and whatever `schemas` checks) and its page at /docs.
 */
export function itServesTheOpenApiDocument(
  server: () => HttpTarget,
  paths: string[],
  schemas: (components: Record<string, { required?: string[] }>) => void = () => undefined,
): void {
  it('serves the OpenAPI document with its paths, the DTO schemas and the three schemes', async () => {
    const { body } = await request(server()).get('/docs-json').expect(200);
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(paths));
    expect(Object.keys(body.components.securitySchemes).sort()).toEqual([
      'api_key',
      'bearer',
      'session',
    ]);
    schemas(body.components.schemas);
    await request(server())
      .get('/docs')
      .expect(200)
      .expect('Content-Type', /text\/html/);
  });
}

/** /health/ready 503 naming the database while its DataSource is closed; /health/live stays 200. */
export function itIsNotReadyWithoutItsDatabase(
  server: () => HttpTarget,
  dataSource: () => DataSource,
): void {
  it('answers 503 naming the database once it is gone', async () => {
    await dataSource().destroy();
    try {
      const response = await request(server()).get('/health/ready').expect(503);
      expect(response.body.error.database.status).toBe('down');
      await request(server()).get('/health/live').expect(200);
    } finally {
      await dataSource().initialize();
    }
  });
}

/**
 * A service that takes API keys stays ready once `closeRedis` has closed its rate-limit Redis
 * client (`RATE_LIMIT_REDIS`), showing Redis unreachable: bearer and API-key traffic keep working,
 * with limits counted per instance (README "Failure modes"). It comes last in its `describe`.
 * `redis`: the app was started with a real Redis (CI's TEST_REDIS_URL); skipped otherwise.
 */
export function itStaysReadyWithoutItsRateLimitRedis(
  server: () => HttpTarget,
  closeRedis: () => Promise<void>,
  redis: boolean,
): void {
  // Needs a real Redis to close (CI sets TEST_REDIS_URL); without one there is nothing to take away.
  (redis ? it : it.skip)(
    `stays ready naming Redis unreachable once its client is closed${redis ? '' : ' (skipped: TEST_REDIS_URL is not set)'}`,
    async () => {
      await closeRedis();
      const response = await request(server()).get('/health/ready').expect(200);
      expect(response.body.info.redis).toMatchObject({ status: 'up', reachable: false });
      expect(response.body.info.database.status).toBe('up');
    },
  );
}

/**
 * A service verifying the test issuer's tokens counts in /metrics each guard refusal by reason,
 * the request at `path` by route and status, the JWKS download, and, when `apiKey` is given (a
 * well-formed key, say `generateApiKey('pk', 'test').key`, and a scope `path` accepts: the service
 * takes API keys), that key's 429 over its limit.
 */
export function itCountsGuardRefusals(
  service: string,
  running: () => ServiceAppUnderTest,
  path: string,
  apiKey?: { key: string; scope: string },
): void {
  const what = apiKey === undefined ? '' : ', API-key 429s';
  it(`counts guard refusals by reason${what} and JWKS downloads in /metrics`, async () => {
    const http = () => request(running().app.getHttpServer());
    const scrape = async () => (await http().get('/metrics').expect(200)).text;
    const series = (name: string, label: string) => `${name}{${label},service="${service}"}`;
    const before = await scrape();
    await http().get(path).expect(401);
    await http().get(path).set('Authorization', 'Bearer not-a-jwt').expect(401);
    const token = running().issuer.token({ sub: 'alice', roles: ['user'] });
    await http().get(path).set('Authorization', `Bearer ${token}`).expect(200);
    if (apiKey !== undefined) {
      const { key, scope } = apiKey;
      running().issuer.apiKeys.set(key, {
        active: true,
        token_type: 'api_key',
        sub: 'key-owner',
        scope,
        key_id: randomUUID(),
        rate_limit: 1,
        roles: [],
      });
      await http().get(path).set('X-API-Key', key).expect(200);
      await http().get(path).set('X-API-Key', key).expect(429);
    }

    const after = await scrape();
    const moved = (name: string, label: string) =>
      (metricSample(after, series(name, label)) ?? 0) -
      (metricSample(before, series(name, label)) ?? 0);
    expect(moved('keycard_auth_failures_total', 'reason="missing_credentials"')).toBe(1);
    expect(moved('keycard_auth_failures_total', 'reason="invalid_token"')).toBe(1);
    if (apiKey !== undefined)
      expect(moved('keycard_rate_limited_total', 'limiter="api_key"')).toBe(1);
    expect(
      metricSample(after, series('keycard_jwks_fetches_total', 'outcome="ok"')),
    ).toBeGreaterThanOrEqual(1);
    const route = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    expect(after).toMatch(
      new RegExp(
        `^http_requests_total\\{method="GET",route="${route}",status="200",service="${service}"\\} \\d+$`,
        'm',
      ),
    );
    expect(after).toMatch(
      new RegExp(
        `^http_request_duration_seconds_count\\{[^}]*route="${route}",status="200"\\} \\d+$`,
        'm',
      ),
    );
  });
}
