import { Registry } from 'prom-client';
import { ManualClock } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { METRICS_WINDOW_MS, MetricsWindow, SAMPLE_INTERVAL_MS } from './metrics-window';

describe('MetricsWindow', () => {
  let clock: ManualClock;
  let metrics: KeycardMetrics;
  let window: MetricsWindow;

  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
    metrics = new KeycardMetrics(new Registry());
    window = new MetricsWindow(clock, metrics);
    await window.sample();
  });

  /** One sample a minute for `minutes` minutes, as the interval timer takes them. */
  async function run(minutes: number): Promise<void> {
    for (let i = 0; i < minutes; i++) {
      clock.advance(SAMPLE_INTERVAL_MS);
      await window.sample();
    }
  }

  it('counts from the start while the instance is younger than an hour', async () => {
    metrics.tokensIssued.inc({ kind: 'access' }, 3);
    metrics.authFailures.inc({ reason: 'invalid_credentials' });
    await run(10);
    expect(await window.lastHour()).toEqual({
      since: Date.parse('2026-03-01T10:00:00Z'),
      issued: { access: 3 },
      failures: { invalid_credentials: 1 },
    });
  });

  it('leaves out what was counted more than an hour ago', async () => {
    metrics.tokensIssued.inc({ kind: 'session' }, 5);
    await run(70);
    metrics.tokensIssued.inc({ kind: 'session' }, 2);
    metrics.tokensIssued.inc({ kind: 'client_credentials' });
    const lastHour = await window.lastHour();
    expect(lastHour.issued).toEqual({ session: 2, client_credentials: 1 });
    expect(lastHour.failures).toEqual({});
    expect(clock.now() - lastHour.since).toBeLessThanOrEqual(METRICS_WINDOW_MS);
    expect(clock.now() - lastHour.since).toBeGreaterThan(
      METRICS_WINDOW_MS - 2 * SAMPLE_INTERVAL_MS,
    );
  });

  it('keeps about an hour of samples, however long it runs', async () => {
    await run(24 * 60);
    const samples = (window as unknown as { samples: unknown[] }).samples;
    expect(samples.length).toBeLessThanOrEqual(METRICS_WINDOW_MS / SAMPLE_INTERVAL_MS + 1);
  });
});
