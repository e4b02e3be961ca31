import {
  keycardOpenApi,
  ObservabilityModule,
  type ObservabilityOptions,
} from '@keycard/observability';
import type { AuthSettings } from '../config/auth.config';
import { authConfig } from '../config/auth.config';
import type { RedisClient } from '../redis/redis.client';
import { REDIS_CLIENT } from '../redis/redis.client';

/**
 * Probes, metrics and JSON logs of the auth-service (`@keycard/observability`): `/health/ready`
 * checks the database and, when `REDIS_URL` is set, Redis. Every request gets one log line: the
 * auth-service's traffic is logins and token calls, where an access log is worth its cost.
 */
export const AuthObservabilityModule = ObservabilityModule.forRootAsync({
  inject: [authConfig.KEY, REDIS_CLIENT],
  useFactory: (config: AuthSettings, redis: RedisClient | null): ObservabilityOptions => ({
    service: 'auth-service',
    logLevel: config.observability.logLevel,
    metricsToken: config.observability.metricsToken,
    redisPing: redis,
  }),
});

/**
 * `setupOpenApi` options of the auth-service (`/docs`, `/docs-json`). Its own routes take an access
 * token or the session cookie; API keys are for resource services.
 */
export const AUTH_OPENAPI = keycardOpenApi(
  'auth-service',
  'Password and OAuth 2.0 tokens, sessions, API keys, signing keys and administration.',
  ['bearer', 'session'],
);
