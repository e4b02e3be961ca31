import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RATE_LIMIT_REDIS } from '@keycard/common';
import { OBSERVABILITY_OPTIONS, type ObservabilityOptions } from '../options';
import { serviceObservabilityModule } from './service-observability.module';

const SETTINGS = Symbol('SETTINGS');
const observability = { logLevel: 'info', metricsToken: 'm-token' };
const redis = { ping: () => Promise.resolve('PONG') };

/** The app's settings and Redis, global as a service's config and rate-limit modules are. */
@Global()
@Module({
  providers: [
    { provide: SETTINGS, useValue: { observability } },
    { provide: RATE_LIMIT_REDIS, useValue: redis },
  ],
  exports: [SETTINGS, RATE_LIMIT_REDIS],
})
class SettingsModule {}

async function resolvedOptions(rateLimitRedis?: boolean): Promise<ObservabilityOptions> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      SettingsModule,
      serviceObservabilityModule(
        'billing-service',
        SETTINGS,
        rateLimitRedis === undefined ? undefined : { rateLimitRedis },
      ),
    ],
  }).compile();
  const options = moduleRef.get<symbol, ObservabilityOptions>(OBSERVABILITY_OPTIONS, {
    strict: false,
  });
  await moduleRef.close();
  return options;
}

describe('serviceObservabilityModule', () => {
  it("reads the service's observability settings, with no Redis by default", async () => {
    const options = await resolvedOptions();
    expect(options).toMatchObject({
      service: 'billing-service',
      logLevel: 'info',
      metricsToken: 'm-token',
    });
    expect(options.redisPing).toBeUndefined();
  });

  it('shows the rate-limit Redis without requiring it when the service takes API keys', async () => {
    const options = await resolvedOptions(true);
    expect(options.redisPing).toBe(redis);
    expect(options.redisRequired).toBe(false);
  });
});
