import { ErrorCode, ManualClock, MemoryRateLimitStore } from '@keycard/common';
import { recordingAudit, testMetrics } from '../testing/test-recorders';
import { GoogleStartThrottle } from './google-start-throttle.service';
import { RefusalWindows } from './refusal-windows';

function setup() {
  const clock = new ManualClock();
  const store = new MemoryRateLimitStore(clock);
  const refusals = new RefusalWindows(store);
  const { audit, recorded } = recordingAudit();
  return { clock, store, refusals, recorded, audit };
}

describe('RefusalWindows', () => {
  it('opens a window once per key and window, and again when it is over', async () => {
    const { clock, refusals } = setup();
    expect(await refusals.opensWindow(['a'], 60)).toBe(true);
    for (let i = 0; i < 50; i++) expect(await refusals.opensWindow(['a'], 60)).toBe(false);
    expect(await refusals.opensWindow(['b'], 60)).toBe(true);
    clock.advance(60_000);
    expect(await refusals.opensWindow(['a'], 60)).toBe(true);
  });

  it.each([
    ['an address trying many accounts', (i: number) => ['ip:1', `acct:${i}`]],
    ['many addresses trying one account', (i: number) => [`ip:${i}`, 'acct:1']],
    ['one address and one account', () => ['ip:1', 'acct:1']],
  ])('opens one window for %s', async (_case, keys) => {
    const { refusals } = setup();
    let opened = 0;
    for (let i = 0; i < 100; i++) if (await refusals.opensWindow(keys(i), 900)) opened += 1;
    expect(opened).toBe(1);
  });

  it('counts a window of a fraction of a second as one second', async () => {
    const { clock, refusals } = setup();
    expect(await refusals.opensWindow(['a'], 0.2)).toBe(true);
    clock.advance(999);
    expect(await refusals.opensWindow(['a'], 0.2)).toBe(false);
  });
});

describe('GoogleStartThrottle', () => {
  it('writes one audit row per refused minute of an address, not one per request', async () => {
    const { clock, store, refusals, recorded, audit } = setup();
    const throttle = new GoogleStartThrottle(
      store,
      refusals,
      { googleStartRateLimit: 2 },
      audit,
      testMetrics(),
    );
    const refused = async (ip: string) =>
      expect(throttle.hit(ip)).rejects.toMatchObject({ code: ErrorCode.RateLimited });

    for (let i = 0; i < 2; i++) await throttle.hit('203.0.113.9');
    for (let i = 0; i < 100; i++) await refused('203.0.113.9');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      type: 'auth.google.rate_limited',
      outcome: 'failure',
      details: { limiter: 'google_start', retryAfter: 60 },
    });

    clock.advance(60_000);
    for (let i = 0; i < 2; i++) await throttle.hit('203.0.113.9');
    await refused('203.0.113.9');
    expect(recorded).toHaveLength(2);
  });
});
