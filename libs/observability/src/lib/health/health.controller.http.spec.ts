import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createObservedApp, PLATFORMS, ready } from '../../testing/observability-test-app';
import { ReadinessService } from './readiness';

describe.each(PLATFORMS)('health probes on %s', (platform) => {
  let app: INestApplication | undefined;

  afterEach(async () => {
    const dataSource = app?.get<DataSource>(getDataSourceToken());
    if (dataSource && !dataSource.isInitialized) await dataSource.initialize(); // let close() work
    await app?.close();
    app = undefined;
  });

  it('answers /health/live without credentials', async () => {
    app = await ready(await createObservedApp(platform));
    const res = await request(app.getHttpServer()).get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok', service: 'test-service' });
  });

  it('is ready when the database and Redis answer', async () => {
    app = await ready(
      await createObservedApp(platform, { redisPing: () => Promise.resolve('PONG') }),
    );
    const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('accepts a client with ping() and skips Redis when none is configured', async () => {
    app = await ready(
      await createObservedApp(platform, { redisPing: { ping: async () => 'PONG' } }),
    );
    await request(app.getHttpServer()).get('/health/ready').expect(200);
    await app.close();
    app = await ready(await createObservedApp(platform));
    const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body.info).not.toHaveProperty('redis');
  });

  it('answers 503 naming the database when its connection is gone', async () => {
    app = await ready(await createObservedApp(platform));
    await app.get<DataSource>(getDataSourceToken()).destroy();
    const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(res.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    // Liveness does not depend on the database.
    await request(app.getHttpServer()).get('/health/live').expect(200);
  });

  it.each([
    ['rejects', () => Promise.reject(new Error('ECONNREFUSED'))],
    ['hangs', () => new Promise<never>(() => undefined)],
  ])('answers 503 naming Redis when its ping %s', async (_case, ping) => {
    app = await ready(
      await createObservedApp(platform, { redisPing: ping, readinessTimeoutMs: 200 }),
    );
    const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(res.body).toMatchObject({
      status: 'error',
      info: { database: { status: 'up' } },
      error: { redis: { status: 'down' } },
    });
  });

  it('stays ready without Redis when Redis is not required, saying it is unreachable', async () => {
    let answering = false;
    const ping = () => (answering ? Promise.resolve('PONG') : Promise.reject(new Error('offline')));
    app = await ready(await createObservedApp(platform, { redisPing: ping, redisRequired: false }));
    const down = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(down.body).toMatchObject({
      info: { redis: { status: 'up', reachable: false, message: 'offline' } },
    });
    answering = true;
    const up = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(up.body).toMatchObject({ info: { redis: { status: 'up', reachable: true } } });
  });

  it("adds an app's own components: 503 while one is down, its details shown either way", async () => {
    app = await ready(await createObservedApp(platform, { readinessTimeoutMs: 200 }));
    let verifying = false;
    app.get(ReadinessService).addCheck('issuer', () => ({
      up: verifying,
      details: { issuer: 'http://localhost:3000', reachable: verifying },
    }));
    const down = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(down.body).toMatchObject({
      error: { issuer: { status: 'down', issuer: 'http://localhost:3000', reachable: false } },
    });
    verifying = true;
    const up = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(up.body).toMatchObject({ info: { issuer: { status: 'up', reachable: true } } });
  });

  it('counts a component that throws or hangs as down', async () => {
    app = await ready(await createObservedApp(platform, { readinessTimeoutMs: 200 }));
    const readiness = app.get(ReadinessService);
    readiness.addCheck('hangs', () => new Promise<never>(() => undefined));
    readiness.addCheck('throws', () => {
      throw new Error('broken');
    });
    const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(res.body).toMatchObject({
      error: { hangs: { status: 'down' }, throws: { status: 'down', message: 'broken' } },
    });
  });
});
