import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import { configureHttpApp } from '@keycard/common';
import { authHttpAdapter, configureAuthApp } from '../app/configure-auth-app';
import type { AuthSettings } from '../config/auth.config';

/**
 * Test-only: an auth-service app on the platform `main.ts` uses (Fastify), initialised and ready
 * to serve, from a compiled testing module. `configure: 'auth'` (the default) applies
 * `configureAuthApp` like `main.ts`; `'http'` only the shared HTTP settings, for module-level tests
 * without the OpenAPI document.
 */
export async function createTestApp(
  moduleRef: TestingModule,
  config: Pick<AuthSettings, 'trustProxy'> = { trustProxy: false },
  configure: 'auth' | 'http' = 'auth',
): Promise<NestFastifyApplication> {
  const app = moduleRef.createNestApplication<NestFastifyApplication>(authHttpAdapter(config), {
    logger: false,
  });
  try {
    if (configure === 'auth') configureAuthApp(app);
    else configureHttpApp(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
}
