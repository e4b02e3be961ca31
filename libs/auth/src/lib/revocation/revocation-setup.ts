import { Logger } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { SystemClock } from '@keycard/common';
import { trimSlash } from '../discovery';
import type { KeyResolver, ResolvedKeycardAuthOptions } from '../options';
import type { VerifiedTokenCache } from '../verified-token.cache';
import { DenySet, DEFAULT_DENY_SET_MAX_ENTRIES } from './deny-set';
import { RevocationFollower } from './revocation-follower';
import {
  RedisRevocationSource,
  RevocationSource,
  StreamRevocationSource,
} from './revocation-sources';

/** Injection token of the module's revocation follower (`null` when revocation is off). */
export const KEYCARD_REVOCATIONS = Symbol('KEYCARD_REVOCATIONS');

/**
 * How a verifier follows the auth-service's revocations (contract section 8). On by default for a
 * service with client credentials (`apiKeys`, or given here): nothing else to configure.
 */
export interface RevocationOptions {
  /** `REDIS_URL`: events arrive on Redis pub/sub; without it, on the auth-service's stream. */
  redisUrl?: string;
  /** `REVOCATION_FAIL_CLOSED`: answer 503 instead of verifying once the lag passes 30 s. */
  failClosed?: boolean;
  /** The client it follows the log as; default the `apiKeys` client. */
  clientId?: string;
  clientSecret?: string;
  /** Bound of the deny set; default 100000. */
  maxEntries?: number;
  /** A prom-client registry for `keycard_revocation_lag_seconds` (e.g. `KeycardMetrics.registry`). */
  metricsRegistry?: Registry;
}

/** The running follower and its source, as the module holds them. */
export interface Revocations {
  follower: RevocationFollower;
  source: RevocationSource;
}

/** Builds the follower and its source, or null when revocation is off or has no credentials. */
export function createRevocations(options: ResolvedKeycardAuthOptions): Revocations | null {
  const settings = options.revocation;
  if (settings === false) return null;
  const clientId = settings?.clientId ?? options.apiKeys?.clientId;
  const clientSecret = settings?.clientSecret ?? options.apiKeys?.clientSecret;
  if (clientId === undefined || clientSecret === undefined) {
    new Logger('Revocation').warn(
      'No client credentials (AUTH_CLIENT_ID / AUTH_CLIENT_SECRET): revocations are not followed; ' +
        'revoked tokens stay valid here until they expire',
    );
    return null;
  }
  const clock = new SystemClock();
  const deny = new DenySet(settings?.maxEntries ?? DEFAULT_DENY_SET_MAX_ENTRIES, clock);
  const follower = new RevocationFollower(deny, settings?.failClosed ?? false, clock);
  const endpoint = {
    baseUrl: trimSlash(options.internalUrl ?? options.issuer),
    clientId,
    clientSecret,
  };
  const source = settings?.redisUrl
    ? new RedisRevocationSource(settings.redisUrl, endpoint, follower)
    : new StreamRevocationSource(endpoint, follower);
  if (settings?.metricsRegistry) registerLagGauge(settings.metricsRegistry, follower);
  return { follower, source };
}

/** Tokens of a revoked key are refused before any signature check, as an unknown `kid` is. */
export function refusingRevokedKids(
  keys: KeyResolver,
  revocations: Revocations | null,
): KeyResolver {
  if (revocations === null) return keys;
  const deny = revocations.follower.deny;
  return {
    getKey: (kid) => (deny.refusesKid(kid) ? Promise.resolve(undefined) : keys.getKey(kid)),
    ...(keys.onKeysRemoved ? { onKeysRemoved: keys.onKeysRemoved.bind(keys) } : {}),
  };
}

/** Forgets cached tokens an event covers (the deny set refuses them anyway; this frees memory). */
export function purgeOnRevocation(
  cache: VerifiedTokenCache,
  revocations: Revocations | null,
): void {
  revocations?.follower.onEvent((event) => {
    if (event.kind === 'kid') cache.purgeKid(event.subject);
  });
}

function registerLagGauge(registry: Registry, follower: RevocationFollower): void {
  if (registry.getSingleMetric('keycard_revocation_lag_seconds') !== undefined) return;
  new Gauge({
    name: 'keycard_revocation_lag_seconds',
    help: 'Seconds since this verifier last knew it had every revocation of the auth-service.',
    registers: [registry],
    collect() {
      this.set(follower.lagSeconds());
    },
  });
}
