import { generateApiKey, RATE_LIMIT_REDIS, type RedisClient } from '@keycard/common';
import {
  describeGracefulShutdown,
  describeMetricsToken,
  itAnswersTheProbes,
  itCountsGuardRefusals,
  itIsNotReadyWithoutItsDatabase,
  itServesTheOpenApiDocument,
  itStaysReadyWithoutItsRateLimitRedis,
  openApiGaps,
  type ServiceAppUnderTest,
  type StartService,
  startServiceApp,
  startTestIssuer,
  testRedisUrl,
} from '@keycard/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../app.factory';

/** The settings these specs control (cleared, then set per app). */
const SETTINGS = [
  'AUTH_INTERNAL_URL',
  'RESOURCE_DATABASE_URL',
  'REDIS_URL',
  'AUTH_CLIENT_ID',
  'AUTH_CLIENT_SECRET',
  'METRICS_TOKEN',
];

type Running = ServiceAppUnderTest;

/** The real app (createApp, as main.ts builds it) with exactly `env` among the settings above. */
const start: StartService = (env = {}, prepare) =>
  startServiceApp(createApp, { settings: SETTINGS, env, prepare });

const redisUrl = testRedisUrl();

describe('resource-service observability over HTTP (Fastify)', () => {
  let running: Running;
  const server = () => running.app.getHttpServer();

  beforeAll(async () => {
    running = await start({
      AUTH_CLIENT_ID: 'resource-service-test',
      AUTH_CLIENT_SECRET: 'resource-service-test-secret',
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    });
  });

  afterAll(() => running?.close());

  itAnswersTheProbes('resource-service', server, { redis: redisUrl !== undefined });

  it('names its issuer in /health/ready', async () => {
    const ready = await request(server()).get('/health/ready').expect(200);
    expect(ready.body.info.issuer).toMatchObject({
      status: 'up',
      issuer: running.issuer.url,
      reachable: true,
    });
  });

  itCountsGuardRefusals('resource-service', () => running, '/me', {
    key: generateApiKey('pk', 'test').key,
    scope: 'documents:read',
  });

  itServesTheOpenApiDocument(
    server,
    ['/me', '/documents', '/documents/{id}', '/health'],
    (schemas) => expect(schemas.CreateDocumentDto.required).toEqual(['title', 'body']),
  );

  it('gives every operation a summary, a 2xx response, and a JSON schema for each 200 and 201', async () => {
    const { body } = await request(server()).get('/docs-json').expect(200);
    expect(openApiGaps(body.paths)).toEqual([]);
  });

  itIsNotReadyWithoutItsDatabase(server, () => running.app.get(DataSource));

  // Skipped without TEST_REDIS_URL (CI sets it): closing the client needs a real Redis to close.
  itStaysReadyWithoutItsRateLimitRedis(
    server,
    () => running.app.get<symbol, RedisClient>(RATE_LIMIT_REDIS, { strict: false }).close(),
    redisUrl !== undefined,
  );
});

describeMetricsToken('resource-service', start);

describeGracefulShutdown('resource-service', start, '/me');

// Its own app, after the others have closed, so its issuer-less readiness is the only one alive.
describe('resource-service readiness without its issuer', () => {
  it('is not ready while its issuer has never answered, and says why', async () => {
    const absent = await startTestIssuer();
    await absent.close();
    const lonely = await start({ AUTH_ISSUER: absent.url, AUTH_INTERNAL_URL: absent.url });
    try {
      const response = await request(lonely.app.getHttpServer()).get('/health/ready').expect(503);
      expect(response.body.error.issuer).toMatchObject({
        status: 'down',
        reachable: false,
        keys: 0,
        error: expect.any(String),
      });
      await request(lonely.app.getHttpServer()).get('/health/live').expect(200);
    } finally {
      await lonely.close();
    }
  });
});
