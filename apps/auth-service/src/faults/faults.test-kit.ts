import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../app/app.module';
import type { AuthSettings } from '../config/auth.config';
import { authConfig } from '../config/auth.config';
import { WriteFaultPoints } from '../database/atomic-writes';
import { KeyGenerator } from '../keys/key-material';
import { PooledKeyGenerator } from '../keys/keys.test-kit';
import { createTestApp } from '../testing/test-app';
import { testAuthConfig } from '../testing/test-config';
import { UsersService } from '../users/users.service';

/*
 * Test-only: the whole auth-service against the throwaway servers of a fault test
 * (`@keycard/testing`'s `startThrowawayPostgres` / `startThrowawayRedis`), with short dependency
 * timeouts and `WriteFaultPoints` in the test's hands. Not imported by the app.
 */

export const PASSWORD = 'correct horse battery staple';

export interface FaultApp {
  http: Server;
  config: AuthSettings;
  /** A fresh user with `PASSWORD`; returns its email. */
  createUser(): Promise<string>;
  close(): Promise<void>;
}

export async function startFaultApp(
  env: Record<string, string>,
  faults: WriteFaultPoints = new WriteFaultPoints(),
): Promise<FaultApp> {
  const config = testAuthConfig({
    COOKIE_SECURE: 'false',
    REDIS_TIMEOUT: '500ms',
    DATABASE_TIMEOUT: '1s',
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(authConfig.KEY)
    .useValue(config)
    .overrideProvider(KeyGenerator)
    .useClass(PooledKeyGenerator)
    .overrideProvider(WriteFaultPoints)
    .useValue(faults)
    .compile();
  const app: NestFastifyApplication = await createTestApp(moduleRef, config);
  const users = app.get(UsersService);
  return {
    http: app.getHttpServer() as Server,
    config,
    async createUser() {
      const email = `fault-${randomBytes(5).toString('hex')}@example.test`;
      await users.create({ email, password: PASSWORD, name: 'Fault Test', roles: ['user'] });
      return email;
    },
    close: () => app.close(),
  };
}

/** `POST /auth/login` and `POST /session/login` (JSON) with the right password. */
export function passwordLogins(http: Server, email: string) {
  return {
    token: () => request(http).post('/auth/login').send({ email, password: PASSWORD }),
    session: () => request(http).post('/session/login').send({ email, password: PASSWORD }),
  };
}

/** Polls `attempt` until it answers `status` (a dependency coming back), or fails after `ms`. */
export async function eventually(
  attempt: () => Promise<{ status: number }>,
  status: number,
  ms = 8000,
): Promise<number[]> {
  const seen: number[] = [];
  const until = Date.now() + ms;
  for (;;) {
    const { status: answered } = await attempt();
    seen.push(answered);
    if (answered === status) return seen;
    if (Date.now() > until)
      throw new Error(`still not ${status} after ${ms} ms: ${seen.join(',')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
