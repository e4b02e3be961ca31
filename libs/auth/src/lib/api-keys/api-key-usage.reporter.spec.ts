import { ManualClock } from '@keycard/common';
import type { IntrospectionServer } from '../../testing/introspection-server';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  startIntrospectionServer,
} from '../../testing/introspection-server';
import type { ApiKeyUsageReporterOptions } from './api-key-usage.reporter';
import { ApiKeyUsageReporter } from './api-key-usage.reporter';

interface SentReport {
  keyId: string;
  day: string;
  count: number;
  lastUsedAt: string;
}

const KEY_A = '0b7c6a52-7f1f-4e39-9d8e-5a8b2f3c4d01';
const KEY_B = '1c8d7b63-8a2a-4f4a-8e9f-6b9c3a4d5e02';
const NOON = Date.UTC(2026, 2, 14, 12);

describe('ApiKeyUsageReporter', () => {
  let server: IntrospectionServer;
  let clock: ManualClock;

  const reporter = (options: Partial<ApiKeyUsageReporterOptions> = {}) =>
    new ApiKeyUsageReporter({
      endpoint: `${server.url}/api-keys/usage-reports`,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      clock,
      ...options,
    });
  const sent = (): SentReport[] =>
    server.usageReports.flatMap(
      (call) => (JSON.parse(call.body) as { reports: SentReport[] }).reports,
    );
  const byKeyAndDay = (reports: SentReport[]) =>
    Object.fromEntries(reports.map((r) => [`${r.keyId}/${r.day}`, r.count]));

  beforeEach(async () => {
    server = await startIntrospectionServer();
    clock = new ManualClock(NOON);
  });

  afterEach(() => server.close());

  it('adds up requests per key and UTC day, with the latest request as lastUsedAt', async () => {
    const usage = reporter();
    usage.record(KEY_A);
    clock.advance(1500);
    usage.record(KEY_A);
    usage.record(KEY_B);
    clock.set(Date.UTC(2026, 2, 14, 23, 59, 59, 999));
    usage.record(KEY_A);
    clock.advance(1); // midnight UTC: a new day
    usage.record(KEY_A);
    expect(usage.pendingLines).toBe(3);
    expect(server.usageReports).toHaveLength(0); // nothing is sent per request
    await usage.flush();
    expect(sent()).toEqual(
      expect.arrayContaining([
        {
          keyId: KEY_A,
          day: '2026-03-14',
          count: 3,
          lastUsedAt: '2026-03-14T23:59:59.999Z',
        },
        { keyId: KEY_B, day: '2026-03-14', count: 1, lastUsedAt: '2026-03-14T12:00:01.500Z' },
        { keyId: KEY_A, day: '2026-03-15', count: 1, lastUsedAt: '2026-03-15T00:00:00.000Z' },
      ]),
    );
    expect(sent()).toHaveLength(3);
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    expect(server.usageReports[0].authorization).toBe(`Basic ${basic}`);
    expect(usage.pendingLines).toBe(0);
  });

  it('sends at most 500 lines per request', async () => {
    const usage = reporter();
    for (let day = 0; day < 1200; day++) {
      usage.record(KEY_A);
      clock.advance(86_400_000);
    }
    await usage.flush();
    expect(server.usageReports.map((call) => JSON.parse(call.body).reports.length)).toEqual([
      500, 500, 200,
    ]);
    expect(server.usageReports.every((call) => call.body.length < 64 * 1024)).toBe(true);
  });

  it('keeps what failed to send and sends it, merged with newer counts, at the next flush', async () => {
    const usage = reporter();
    usage.record(KEY_A);
    usage.record(KEY_A);
    server.usageStatus = 503;
    await usage.flush();
    expect(server.usageReports).toHaveLength(1);
    expect(usage.pendingLines).toBe(1);
    clock.advance(1000);
    usage.record(KEY_A);
    server.usageStatus = 204;
    server.usageReports.length = 0;
    await usage.flush();
    expect(sent()).toEqual([
      { keyId: KEY_A, day: '2026-03-14', count: 3, lastUsedAt: '2026-03-14T12:00:01.000Z' },
    ]);
    expect(usage.pendingLines).toBe(0);
  });

  it('keeps the counts when the auth-service is unreachable, within maxPendingLines', async () => {
    const usage = reporter({ maxPendingLines: 2 });
    await server.close();
    for (const keyId of [KEY_A, KEY_B]) usage.record(keyId);
    await usage.flush();
    expect(usage.pendingLines).toBe(2);
    clock.advance(86_400_000); // a newer day: the oldest lines give way
    usage.record(KEY_B);
    await usage.flush();
    expect(usage.pendingLines).toBe(2);
    server = await startIntrospectionServer();
  });

  it('drops a chunk the auth-service refuses as invalid (400) instead of retrying it forever', async () => {
    const usage = reporter();
    usage.record(KEY_A);
    server.usageStatus = 400;
    await usage.flush();
    expect(usage.pendingLines).toBe(0);
  });

  it('retries only the chunks that were not sent', async () => {
    const usage = reporter({ chunkSize: 2 });
    for (let day = 0; day < 5; day++) {
      usage.record(KEY_A);
      clock.advance(86_400_000);
    }
    server.usageStatuses = [204, 502];
    await usage.flush();
    expect(server.usageReports).toHaveLength(2); // the third chunk waits for the next flush
    expect(usage.pendingLines).toBe(3); // the failed chunk and the one after it
    server.usageReports.length = 0;
    await usage.flush();
    expect(sent()).toHaveLength(3);
  });

  it('flushes on a timer and once more at stop()', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const usage = reporter({ flushIntervalSeconds: 10 });
      usage.start();
      usage.record(KEY_A);
      await jest.advanceTimersByTimeAsync(10_000);
      jest.useRealTimers();
      await usage.flush(); // joins the timer's flush if it is still running
      expect(sent()).toHaveLength(1);
      usage.record(KEY_B);
      await usage.stop();
      expect(byKeyAndDay(sent())).toEqual({
        [`${KEY_A}/2026-03-14`]: 1,
        [`${KEY_B}/2026-03-14`]: 1,
      });
    } finally {
      jest.useRealTimers();
    }
  });

  it('joins a flush already running instead of sending the same lines twice', async () => {
    const usage = reporter();
    usage.record(KEY_A);
    await Promise.all([usage.flush(), usage.flush(), usage.flush()]);
    expect(sent()).toHaveLength(1);
  });
});
