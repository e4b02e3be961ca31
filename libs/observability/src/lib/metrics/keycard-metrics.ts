import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ObservabilityOptions } from '../options';

/** The kinds of credential `tokensIssued` counts. */
export type IssuedTokenKind = 'access' | 'refresh' | 'client_credentials' | 'api_key' | 'session';

/** A counter whose labels are checked at compile time. */
export interface LabeledCounter<Labels extends Record<string, string>> {
  inc(labels: Labels, value?: number): void;
}

/** Age in seconds of the active signing key, or `undefined` when there is none yet. */
export type SigningKeyAgeProvider = () => number | undefined | Promise<number | undefined>;

/** Upper bounds (seconds) of the request-duration buckets: 1 ms to 10 s. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Builds the Prometheus registry of one app instance (never the global default registry). */
export function createMetricsRegistry(options: ObservabilityOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Every metric of a Keycard service, registered on the app's own registry. Inject it and count:
 * `metrics.authFailures.inc({ reason: 'invalid_token' })`, `metrics.tokensIssued.inc({ kind: 'access' })`.
 * Label values must come from small fixed sets (never a user id, an email or a token).
 */
@Injectable()
export class KeycardMetrics {
  /** `http_requests_total{method,route,status}`: route is the matched pattern or `unmatched`. */
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  /** `http_request_duration_seconds{method,route,status}`. */
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** `keycard_auth_failures_total{reason}`: a refused credential (bad password, bad token, …). */
  readonly authFailures: LabeledCounter<{ reason: string }>;
  /** `keycard_tokens_issued_total{kind}`. */
  readonly tokensIssued: LabeledCounter<{ kind: IssuedTokenKind }>;
  /** `keycard_refresh_reuse_detected_total`: a rotated refresh token came back (family revoked). */
  readonly refreshReuse: Counter;
  /** `keycard_rate_limited_total{limiter}`: a request answered 429. */
  readonly rateLimited: LabeledCounter<{ limiter: string }>;
  /** `keycard_jwks_fetches_total{outcome}`: JWKS downloads by a verifier (`ok`, `error`, …). */
  readonly jwksFetches: LabeledCounter<{ outcome: string }>;
  private signingKeyAge: SigningKeyAgeProvider | undefined;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, matched route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to finishing its response.',
      labelNames: ['method', 'route', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.authFailures = counter(
      registry,
      'keycard_auth_failures_total',
      'Refused credentials, by reason.',
      'reason',
    );
    this.tokensIssued = counter(
      registry,
      'keycard_tokens_issued_total',
      'Credentials issued, by kind.',
      'kind',
    );
    this.refreshReuse = new Counter({
      name: 'keycard_refresh_reuse_detected_total',
      help: 'Rotated refresh tokens presented again (their family was revoked).',
      registers,
    });
    this.rateLimited = counter(
      registry,
      'keycard_rate_limited_total',
      'Requests refused by a rate limiter.',
      'limiter',
    );
    this.jwksFetches = counter(
      registry,
      'keycard_jwks_fetches_total',
      'JWKS downloads, by outcome.',
      'outcome',
    );
  }

  /** Sets the callback read at each scrape for `keycard_signing_key_age_seconds`. */
  setSigningKeyAgeProvider(provider: SigningKeyAgeProvider): void {
    // Registered on first use, so the series is absent (not a misleading 0) in services that sign nothing.
    if (this.signingKeyAge === undefined) this.registerSigningKeyAge();
    this.signingKeyAge = provider;
  }

  private registerSigningKeyAge(): void {
    const readAge = () => this.signingKeyAge?.();
    new Gauge({
      name: 'keycard_signing_key_age_seconds',
      help: 'Age of the active signing key.',
      registers: [this.registry],
      // `this` is the gauge here (prom-client's collect contract).
      async collect() {
        const age = await readAge();
        if (age === undefined) this.reset();
        else this.set(age);
      },
    });
  }

  /** The registry's content in the Prometheus text format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  label: L,
): Counter<L> {
  return new Counter({ name, help, labelNames: [label], registers: [registry] });
}
