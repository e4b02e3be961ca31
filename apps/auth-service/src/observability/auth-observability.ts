import {
  keycardOpenApi,
  ObservabilityModule,
  type ObservabilityOptions,
  serviceObservability,
} from '@keycard/observability';
import { currentRequestId } from '../audit/audit-context';
import type { AuthSettings } from '../config/auth.config';
import { authConfig } from '../config/auth.config';
import type { RedisClient } from '../redis/redis.client';
import { REDIS_CLIENT } from '../redis/redis.client';

/**
 * The `ObservabilityModule` options of the auth-service: probes, metrics and JSON logs;
 * `/health/ready` checks the database and, when `REDIS_URL` is set, Redis. Like every Keycard
 * service it writes a line per request only at `LOG_LEVEL=debug` or `trace`: the per-request
 * logger cost a client-credentials grant 12–13 % of its rate (measured A/B). Sign-ins and their
 * failures are in the audit trail with the caller's IP, tokens issued and refusals are counted in
 * `/metrics`, and an access log belongs at the load balancer. Its own lines still carry the
 * request id (`req.id`), read from the audit context it keeps anyway.
 */
export function authObservability(
  config: AuthSettings,
  redis: RedisClient | null,
): ObservabilityOptions {
  return serviceObservability('auth-service', config.observability, {
    redisPing: redis,
    currentRequestId,
  });
}

/** `ObservabilityModule` of the auth-service, with `authObservability`'s options. */
export const AuthObservabilityModule = ObservabilityModule.forRootAsync({
  inject: [authConfig.KEY, REDIS_CLIENT],
  useFactory: authObservability,
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
