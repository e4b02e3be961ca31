import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { Clock } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';

/** Counts by label value (`{ access: 3, session: 1 }`). */
export type LabelCounts = Record<string, number>;

export interface MetricsTotals {
  /** `keycard_tokens_issued_total` by `kind`. */
  issued: LabelCounts;
  /** `keycard_auth_failures_total` by `reason`. */
  failures: LabelCounts;
}

export interface WindowedMetrics extends MetricsTotals {
  /** Epoch ms the counts start from: an hour ago, or this instance's start when more recent. */
  since: number;
}

interface Sample extends MetricsTotals {
  at: number;
}

export const METRICS_WINDOW_MS = 60 * 60_000;
export const SAMPLE_INTERVAL_MS = 60_000;

async function countsOf(
  metrics: KeycardMetrics,
  name: string,
  label: string,
): Promise<LabelCounts> {
  const metric = metrics.registry.getSingleMetric(name) as Counter | undefined;
  const counts: LabelCounts = {};
  if (!metric) return counts;
  for (const { labels, value } of (await metric.get()).values) {
    const key = String(labels[label] ?? '');
    counts[key] = (counts[key] ?? 0) + value;
  }
  return counts;
}

function minus(now: LabelCounts, then: LabelCounts): LabelCounts {
  const out: LabelCounts = {};
  for (const [key, value] of Object.entries(now)) {
    const delta = value - (then[key] ?? 0);
    if (delta > 0) out[key] = delta;
  }
  return out;
}

/**
 * "The last hour" from this instance's Prometheus counters, which only ever grow: their totals are
 * sampled once a minute, and the counts of the last hour are the current totals minus the oldest
 * sample not older than an hour. Per instance (another instance counts its own), and from the
 * instance's start while it is younger than an hour.
 */
@Injectable()
export class MetricsWindow implements OnModuleInit, OnModuleDestroy {
  private samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly metrics: KeycardMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => void this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Records the current totals; drops samples that can no longer start a window. */
  async sample(): Promise<void> {
    const at = this.clock.now();
    this.samples.push({ at, ...(await this.totals()) });
    const oldest = at - METRICS_WINDOW_MS;
    while (this.samples.length > 1 && this.samples[0].at < oldest) this.samples.shift();
  }

  async lastHour(): Promise<WindowedMetrics> {
    const now = this.clock.now();
    const current = await this.totals();
    const base = this.samples.find((sample) => sample.at >= now - METRICS_WINDOW_MS);
    if (!base) return { since: now, issued: {}, failures: {} };
    return {
      since: base.at,
      issued: minus(current.issued, base.issued),
      failures: minus(current.failures, base.failures),
    };
  }

  private async totals(): Promise<MetricsTotals> {
    const [issued, failures] = await Promise.all([
      countsOf(this.metrics, 'keycard_tokens_issued_total', 'kind'),
      countsOf(this.metrics, 'keycard_auth_failures_total', 'reason'),
    ]);
    return { issued, failures };
  }
}
