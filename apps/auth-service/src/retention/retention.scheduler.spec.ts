import { testAuthConfig } from '../testing/test-config';
import { FIRST_RUN_DELAY_MS, RetentionScheduler } from './retention.scheduler';
import type { RetentionService } from './retention.service';

function setup(interval: string) {
  const run = jest.fn(() => Promise.resolve({}));
  const stop = jest.fn(() => Promise.resolve());
  const service = { run, stop } as unknown as RetentionService;
  const scheduler = new RetentionScheduler(
    service,
    testAuthConfig({ RETENTION_INTERVAL: interval }).retention,
  );
  return { run, stop, scheduler };
}

describe('RetentionScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs shortly after start, then every RETENTION_INTERVAL', async () => {
    const { run, scheduler } = setup('1h');
    scheduler.onApplicationBootstrap();
    jest.advanceTimersByTime(FIRST_RUN_DELAY_MS - 1);
    expect(run).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(3_600_000 - 1);
    expect(run).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(3_600_000);
    expect(run).toHaveBeenCalledTimes(3);
    await scheduler.onModuleDestroy();
  });

  it('runs once, not twice, when the interval is as short as the first delay', async () => {
    const { run, scheduler } = setup('60s');
    scheduler.onApplicationBootstrap();
    jest.advanceTimersByTime(FIRST_RUN_DELAY_MS);
    expect(run).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(60_000);
    expect(run).toHaveBeenCalledTimes(2);
    await scheduler.onModuleDestroy();
  });

  it('runs on unref’d timers that stop at shutdown, waiting for the run in progress', async () => {
    const { run, stop, scheduler } = setup('1h');
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    const setIntervalSpy = jest.spyOn(global, 'setInterval');
    scheduler.onApplicationBootstrap();
    const first = setTimeoutSpy.mock.results[0].value as NodeJS.Timeout;
    expect(first.hasRef()).toBe(false);
    jest.advanceTimersByTime(FIRST_RUN_DELAY_MS);
    expect(run).toHaveBeenCalledTimes(1);
    const every = setIntervalSpy.mock.results[0].value as NodeJS.Timeout;
    expect(every.hasRef()).toBe(false);
    await scheduler.onModuleDestroy();
    expect(stop).toHaveBeenCalled();
    jest.advanceTimersByTime(10 * 3_600_000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
