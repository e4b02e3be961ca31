import { Logger } from '@nestjs/common';
import type { Clock } from '@keycard/common';
import { SystemClock } from '@keycard/common';
import type { KeyObject } from 'node:crypto';
import { describeError, discoverEndpoint, fetchJson, trimSlash } from './discovery';
import { publicKeysFromJwks, removedKids } from './jwks';
import type { KeyResolver } from './options';

export interface RemoteJwksKeyResolverOptions {
  /** The issuer; its discovery document is read from `${internalUrl ?? issuer}/.well-known/openid-configuration`. */
  issuer: string;
  /** When set, the address actually called: also replaces the origin of the discovered `jwks_uri`. */
  internalUrl?: string;
  /** Cooldown between refetches triggered by an unknown kid; default 30. */
  minRefetchIntervalSeconds?: number;
  /** Per HTTP request; default 5000. */
  timeoutMs?: number;
  clock?: Clock;
  /** Upper bound of the background refresh period, whatever Cache-Control says; default 3600. */
  maxCacheAgeSeconds?: number;
  /** Told the outcome of every JWKS download (e.g. to count them in a metric); must not throw. */
  onFetch?: (outcome: JwksFetchOutcome) => void;
}

/** How a JWKS download ended: `ok`, or `error` (discovery, HTTP, timeout or an unusable key set). */
export type JwksFetchOutcome = 'ok' | 'error';

/**
 * What a verifier knows of its issuer: `ready` once it holds keys to verify with (tokens are
 * refused before that), `reachable` when the last download succeeded. A verifier that has keys
 * stays ready while the issuer is down: its cached keys keep verifying.
 */
export interface IssuerHealth {
  issuer: string;
  ready: boolean;
  reachable: boolean;
  keys: number;
  /** Why the last download failed, when it did. */
  error?: string;
}

/** Refresh period when the JWKS response has no max-age. */
const DEFAULT_CACHE_AGE_SECONDS = 600;
/** Retry period after a failed fetch, at least. */
const RETRY_SECONDS = 5;

/**
 * Public keys from the issuer's JWKS (found via OIDC discovery). Keys are cached and refreshed in
 * the background as Cache-Control allows; an unknown kid triggers at most one refetch per
 * cooldown, shared by concurrent callers. A failed fetch keeps the cached keys, so tokens keep
 * verifying while the issuer is down; it never throws into the request path ("unknown key").
 */
export class RemoteJwksKeyResolver implements KeyResolver {
  private readonly logger = new Logger('KeycardJwks');
  private readonly issuer: string;
  private readonly internalUrl?: string;
  private readonly minRefetchMs: number;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly maxCacheAgeSeconds: number;
  private readonly onFetch?: (outcome: JwksFetchOutcome) => void;
  private readonly listeners: ((kids: string[]) => void)[] = [];
  private keys = new Map<string, KeyObject>();
  private inFlight?: Promise<boolean>;
  /** Before this instant (epoch ms) an unknown kid does not trigger a refetch. */
  private nextRefetchAt = 0;
  private jwksUri?: string;
  private timer?: NodeJS.Timeout;
  private closed = false;
  /** Undefined before the first download ends; then its outcome's error, or null after success. */
  private lastError?: string | null;

  constructor(options: RemoteJwksKeyResolverOptions) {
    this.issuer = trimSlash(options.issuer);
    this.internalUrl = options.internalUrl ? trimSlash(options.internalUrl) : undefined;
    this.minRefetchMs = (options.minRefetchIntervalSeconds ?? 30) * 1000;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.clock = options.clock ?? new SystemClock();
    this.maxCacheAgeSeconds = options.maxCacheAgeSeconds ?? 3600;
    this.onFetch = options.onFetch;
  }

  /** The kids currently known. */
  get kids(): string[] {
    return [...this.keys.keys()];
  }

  async getKey(kid: string): Promise<KeyObject | undefined> {
    const known = this.keys.get(kid);
    if (known !== undefined) return known;
    if (this.inFlight === undefined) {
      const now = this.clock.now();
      if (now < this.nextRefetchAt) return undefined;
      this.nextRefetchAt = now + this.minRefetchMs;
    }
    await this.refresh();
    return this.keys.get(kid);
  }

  onKeysRemoved(listener: (kids: string[]) => void): void {
    this.listeners.push(listener);
  }

  /** Loads the keys now (joining a fetch already running). Resolves false on failure; never rejects. */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * First load at start-up. A down issuer is not fatal (the resolver keeps retrying), but it is
   * said in one line, since until the keys load every bearer token is refused.
   */
  async warm(): Promise<void> {
    if (await this.refresh()) return;
    this.logger.warn(
      `cannot reach the issuer ${this.internalUrl ?? this.issuer} (${this.lastError}): bearer ` +
        `tokens are refused until its JWKS loads; retrying every ` +
        `${Math.max(this.minRefetchMs / 1000, RETRY_SECONDS)} s (check AUTH_ISSUER / AUTH_INTERNAL_URL)`,
    );
  }

  /** Whether this verifier can verify tokens now, and whether its issuer answers. */
  health(): IssuerHealth {
    const health: IssuerHealth = {
      issuer: this.internalUrl ?? this.issuer,
      ready: this.keys.size > 0,
      reachable: this.lastError === null,
      keys: this.keys.size,
    };
    if (typeof this.lastError === 'string') health.error = this.lastError;
    return health;
  }

  /** Stops the background refresh. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private async load(): Promise<boolean> {
    clearTimeout(this.timer);
    try {
      const jwksUri =
        this.jwksUri ??
        (await discoverEndpoint(
          { issuer: this.issuer, internalUrl: this.internalUrl, timeoutMs: this.timeoutMs },
          'jwks_uri',
        ));
      const { body, maxAge } = await fetchJson(jwksUri, this.timeoutMs);
      const keys = publicKeysFromJwks(body);
      this.jwksUri = jwksUri;
      this.replaceKeys(keys);
      if (typeof this.lastError === 'string') {
        this.logger.log(`the issuer ${this.internalUrl ?? this.issuer} answers again`);
      }
      this.lastError = null;
      this.onFetch?.('ok');
      this.nextRefetchAt = Math.max(this.nextRefetchAt, this.clock.now() + this.minRefetchMs);
      const floor = Math.max(this.minRefetchMs / 1000, 1);
      this.schedule(
        Math.min(Math.max(maxAge ?? DEFAULT_CACHE_AGE_SECONDS, floor), this.maxCacheAgeSeconds),
      );
      return true;
    } catch (error) {
      this.jwksUri = undefined;
      this.onFetch?.('error');
      const why = describeError(error);
      this.lastError = why;
      this.logger.warn(`JWKS refresh failed (${why}); keeping ${this.keys.size} cached key(s)`);
      this.schedule(Math.max(this.minRefetchMs / 1000, RETRY_SECONDS));
      return false;
    }
  }

  private replaceKeys(next: Map<string, KeyObject>): void {
    const removed = removedKids(this.keys, next);
    this.keys = next;
    if (removed.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(removed);
      } catch (error) {
        this.logger.error(
          `keys-removed listener failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  private schedule(seconds: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), seconds * 1000);
    this.timer.unref();
  }
}
