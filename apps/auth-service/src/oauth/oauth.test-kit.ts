import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { AppModule } from '../app/app.module';
import type { AuthSettings } from '../config/auth.config';
import { authConfig } from '../config/auth.config';
import { KeyGenerator } from '../keys/key-material';
import { PooledKeyGenerator } from '../keys/keys.test-kit';
import { createTestApp } from '../testing/test-app';
import { testAuthConfig } from '../testing/test-config';

/*
 * Test-only: the whole auth-service (AppModule) listening on 127.0.0.1 on
 * a port picked by the OS. The port is taken before the app is built, so the issuer in the
 * discovery document and in every token is the address clients really use.
 */

/** Booting the whole app (keys, argon2 for the bootstrap admin) takes seconds on a busy 2-core runner. */
export const BOOT_TIMEOUT_MS = 30_000;

export interface RunningAuthService {
  app: NestFastifyApplication;
  issuer: string;
  config: AuthSettings;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no TCP address'));
      else resolve(address.port);
    });
  });
}

export async function startAuthService(
  env: Record<string, string> = {},
): Promise<RunningAuthService> {
  const server = createServer();
  // A boot that fails or outlives its hook's timeout must not keep Jest waiting on this socket.
  server.unref();
  const issuer = `http://127.0.0.1:${await listen(server)}`;
  const config = testAuthConfig({ AUTH_ISSUER: issuer, ...env });
  let app: NestFastifyApplication;
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(authConfig.KEY)
      .useValue(config)
      .overrideProvider(KeyGenerator)
      .useClass(PooledKeyGenerator)
      .compile();
    app = await createTestApp(moduleRef, config);
  } catch (error) {
    server.close();
    throw error;
  }
  server.on('request', app.getHttpAdapter().getInstance().routing);
  const running = app;
  return {
    app: running,
    issuer,
    config,
    async close() {
      await running.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
