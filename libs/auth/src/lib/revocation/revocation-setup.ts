import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';
import { SystemClock } from '@keycard/common';
import { KEYCARD_API_KEYS } from '../api-keys/api-key-setup';
import type { ApiKeyAuthenticator } from '../api-keys/api-key.authenticator';
import { trimSlash } from '../discovery';
import { KEYCARD_AUTH_OPTIONS, type ResolvedKeycardAuthOptions } from '../options';
import type { Principal } from '../principal';
import { VerifiedTokenCache } from '../verified-token.cache';
import { DenySet, DEFAULT_DENY_SET_MAX_ENTRIES } from './deny-set';
import { revocationChannel } from './revocation-event';
import { RevocationFollower } from './revocation-follower';
import type { RevocationSource } from './revocation-sources';
import { RedisRevocationSource, StreamRevocationSource } from './revocation-sources';

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
    // The issuer itself (`refreshPrincipal`) reads every token's login and user live instead.
    if (options.refreshPrincipal !== undefined) return null;
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
    ? new RedisRevocationSource(
        settings.redisUrl,
        revocationChannel(options.issuer),
        endpoint,
        follower,
        clock,
      )
    : new StreamRevocationSource(endpoint, follower);
  if (settings?.metricsRegistry) registerLagGauge(settings.metricsRegistry, follower);
  return { follower, source };
}

/** How long a starting verifier waits to have read the log before it serves anyway (lagging). */
const FIRST_SYNC_WAIT_MS = 5000;

/**
 * Starts the source when the app boots (before it listens: a starting verifier first reads what
 * is still relevant, for up to 5 s) and stops it at shutdown; each event also drops the cached
 * tokens and API-key answers it covers (the deny set refuses them anyway: this frees the memory at
 * once, and a revoked key's next request asks the auth-service, which caches its refusal).
 */
@Injectable()
export class RevocationLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(KEYCARD_REVOCATIONS) private readonly revocations: Revocations | null,
    private readonly cache: VerifiedTokenCache,
    @Inject(KEYCARD_API_KEYS) private readonly apiKeys: ApiKeyAuthenticator | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.revocations === null) return;
    const { follower, source } = this.revocations;
    const refused = (principal: Principal) => follower.refuses(principal);
    follower.onEvent((event) => {
      if (event.kind === 'kid') this.cache.purgeKid(event.subject);
      else if (event.kind === 'api_key') this.apiKeys?.forget(refused);
      else this.cache.forget(refused);
    });
    source.start();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>(
      (resolve) => (timer = setTimeout(resolve, FIRST_SYNC_WAIT_MS)),
    );
    await Promise.race([follower.firstSync, waited]);
    clearTimeout(timer);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.revocations?.source.stop();
  }
}

/** What `KeycardAuthModule` provides for revocation (`KEYCARD_REVOCATIONS` and the lifecycle). */
export const REVOCATION_PROVIDERS: Provider[] = [
  { provide: KEYCARD_REVOCATIONS, inject: [KEYCARD_AUTH_OPTIONS], useFactory: createRevocations },
  RevocationLifecycle,
];

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
