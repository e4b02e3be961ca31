import type { DynamicModule } from '@nestjs/common';
import { RATE_LIMIT_REDIS } from '@keycard/common';
import type { ObservabilityConfig } from '../config';
import { ObservabilityModule } from '../observability.module';
import type { RedisPing } from '../options';
import { serviceObservability } from './service-app';

/** The part of a resource service's settings its observability reads. */
export interface ObservedServiceSettings {
  observability: ObservabilityConfig;
}

/**
 * The `ObservabilityModule` of a resource service named `service`, from the settings
 * `settingsToken` provides (`serviceObservability`). With `rateLimitRedis` (a service that takes API
 * keys), `/health/ready` also shows the rate-limit Redis (`RATE_LIMIT_REDIS`, when `REDIS_URL` is
 * set) without depending on it: API-key limits count per instance while it is away, so the
 * replica stays ready and keeps serving.
 */
export function serviceObservabilityModule(
  service: string,
  settingsToken: string | symbol,
  { rateLimitRedis = false }: { rateLimitRedis?: boolean } = {},
): DynamicModule {
  return ObservabilityModule.forRootAsync({
    inject: rateLimitRedis ? [settingsToken, RATE_LIMIT_REDIS] : [settingsToken],
    useFactory: (settings: ObservedServiceSettings, redis?: RedisPing) =>
      serviceObservability(
        service,
        settings.observability,
        rateLimitRedis ? { redisPing: redis, redisRequired: false } : {},
      ),
  });
}
