import type { DataSource } from 'typeorm';
import { KeyRotationScheduler, rotationCheckIntervalMs } from './key-rotation.scheduler';
import type { KeysInstance } from './keys.test-kit';
import { keysInstance, openSqliteMemory, statuses } from './keys.test-kit';

function scheduler(instance: KeysInstance): KeyRotationScheduler {
  return new KeyRotationScheduler(
    instance.keys,
    instance.store,
    instance.clock,
    instance.config,
    instance.recorders.audit,
  );
}

describe('KeyRotationScheduler', () => {
  let dataSource: DataSource;

  beforeEach(async () => {
    dataSource = await openSqliteMemory();
  });
  afterEach(() => dataSource.destroy());

  it('rotates once the active key is older than KEY_ROTATION_INTERVAL', async () => {
    const instance = await keysInstance(dataSource, {
      env: { KEY_ROTATION_INTERVAL: '1h', JWKS_MAX_AGE: '5m' },
    });
    const subject = scheduler(instance);
    instance.clock.advance(3_599_999);
    expect(await subject.tick()).toBe('not-due');
    instance.clock.advance(1);
    expect(await subject.tick()).toBe('rotated');
    expect(await statuses(dataSource)).toEqual(['active', 'next', 'retiring']);
    expect(await subject.tick()).toBe('not-due');
  });

  it('postpones, without forcing, while the next key is younger than JWKS_MAX_AGE', async () => {
    const instance = await keysInstance(dataSource, {
      env: { KEY_ROTATION_INTERVAL: '60s', JWKS_MAX_AGE: '5m' },
    });
    const subject = scheduler(instance);
    instance.clock.advance(60_000);
    expect(await subject.tick()).toBe('postponed');
    instance.clock.advance(240_000);
    expect(await subject.tick()).toBe('rotated');
  });

  it('lets only one of several instances rotate', async () => {
    const a = await keysInstance(dataSource, { env: { KEY_ROTATION_INTERVAL: '1h' } });
    const b = await keysInstance(dataSource, {
      env: { KEY_ROTATION_INTERVAL: '1h' },
      clock: a.clock,
    });
    a.clock.advance(3_600_000);
    const outcomes = await Promise.all([scheduler(a).tick(), scheduler(b).tick()]);
    expect(outcomes.filter((outcome) => outcome === 'rotated')).toHaveLength(1);
    expect(await statuses(dataSource)).toEqual(['active', 'next', 'retiring']);
  });

  it('prunes retiring keys past their window', async () => {
    const instance = await keysInstance(dataSource, { env: { KEY_ROTATION_INTERVAL: '30d' } });
    await instance.keys.rotate({ force: true });
    instance.clock.advance(16 * 60_000);
    await scheduler(instance).tick();
    expect(await statuses(dataSource)).toEqual(['active', 'next']);
  });

  it('never throws: a failure is reported and the next check tries again', async () => {
    const instance = await keysInstance(dataSource);
    jest.spyOn(instance.keys, 'prune').mockRejectedValueOnce(new Error('database down'));
    const subject = scheduler(instance);
    expect(await subject.tick()).toBe('failed');
    expect(await subject.tick()).toBe('not-due');
  });

  it('does not overlap checks', async () => {
    const subject = scheduler(await keysInstance(dataSource));
    const [first, second] = await Promise.all([subject.tick(), subject.tick()]);
    expect([first, second]).toEqual(['not-due', 'busy']);
  });

  it('runs on an unref’d timer that is cleared on shutdown', async () => {
    const subject = scheduler(await keysInstance(dataSource));
    const setSpy = jest.spyOn(global, 'setInterval');
    const clearSpy = jest.spyOn(global, 'clearInterval');
    subject.onApplicationBootstrap();
    const timer = setSpy.mock.results[0].value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    subject.onModuleDestroy();
    expect(clearSpy).toHaveBeenCalledWith(timer);
    setSpy.mockRestore();
    clearSpy.mockRestore();
  });

  it.each([
    [60, 30_000],
    [3_600, 360_000],
    [30 * 86_400, 3_600_000],
  ])('checks a rotation interval of %i s every %i ms', (interval, expected) => {
    expect(rotationCheckIntervalMs(interval)).toBe(expected);
  });
});
