import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { generateApiKey } from '@keycard/common';
import type { ThrowawayRedis } from '@keycard/testing';
import {
  missingFaultTools,
  startTestIssuer,
  startThrowawayRedis,
  type TestIssuer,
} from '@keycard/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from './app.factory';

const missing = missingFaultTools(['redis']);
const SETTINGS = {
  DATA_DIR: '',
  AUTH_ISSUER: '',
  REDIS_URL: '',
  REDIS_TIMEOUT: '500ms',
  AUTH_CLIENT_ID: 'resource-service-test',
  AUTH_CLIENT_SECRET: 'resource-service-test-secret',
};

// Fault tier (issue 14, finding 15): API-key requests at the resource-service with its Redis
// (rate limits) frozen or killed: answered within REDIS_TIMEOUT (500 ms here), never a 500.
(missing ? describe.skip : describe)(
  `resource-service with a failing Redis${missing ? ` (${missing})` : ''}`,
  () => {
    let redis: ThrowawayRedis;
    let issuer: TestIssuer;
    let app: NestFastifyApplication;
    const saved: Record<string, string | undefined> = {};
    let key: string;

    beforeAll(async () => {
      [redis, issuer] = await Promise.all([startThrowawayRedis(), startTestIssuer()]);
      const env = {
        ...SETTINGS,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'resource-fault-')),
        AUTH_ISSUER: issuer.url,
        REDIS_URL: redis.url,
      };
      for (const [name, value] of Object.entries(env)) {
        saved[name] = process.env[name];
        process.env[name] = value;
      }
      app = await createApp({ logger: false });
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      ({ key } = generateApiKey('pk', 'test'));
      issuer.apiKeys.set(key, {
        active: true,
        token_type: 'api_key',
        sub: 'key-owner',
        scope: 'documents:read',
        key_id: randomUUID(),
        environment: 'test',
        rate_limit: 100,
        roles: [],
      });
    });
    afterAll(async () => {
      redis?.thaw();
      await app?.close();
      rmSync(process.env['DATA_DIR'] ?? '', { recursive: true, force: true });
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await Promise.all([issuer?.close(), redis?.destroy()]);
    });

    const me = () => request(app.getHttpServer()).get('/me').set('X-API-Key', key).timeout(5000);

    it('a frozen Redis: API-key requests answer within the timeout, not after the pause', async () => {
      await me().expect(200);
      redis.freeze();
      const started = Date.now();
      const answers = await Promise.all([me(), me(), me()]);
      const elapsed = Date.now() - started;
      redis.thaw();
      expect(elapsed).toBeLessThan(3000);
      for (const answer of answers) expect([200, 503]).toContain(answer.status);
      await me().expect(200);
    });

    it('a killed Redis: never a 500; served again when it is back', async () => {
      await redis.kill();
      for (let i = 0; i < 3; i++) expect([200, 503]).toContain((await me()).status);
      await redis.start();
      await me().expect(200);
    });
  },
);
