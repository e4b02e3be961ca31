import type { INestApplication } from '@nestjs/common';
import { getOnFreshConnection as fetchStatus, refusesConnections } from '@keycard/testing';
import type { AddressInfo } from 'node:net';
import { createObservedApp, gate, PLATFORMS } from '../testing/observability-test-app';
import { installGracefulShutdown } from './shutdown';

describe.each(PLATFORMS)('app.close() on %s', (platform) => {
  let app: INestApplication;
  let closed: Promise<void> | undefined;

  beforeEach(async () => {
    gate.reset();
    app = await createObservedApp(platform);
    await app.listen(0, '127.0.0.1');
  });

  afterEach(async () => {
    gate.release();
    await (closed ?? app.close());
    closed = undefined;
  });

  it('lets an in-flight request finish and refuses new connections', async () => {
    const { port } = app.getHttpServer().address() as AddressInfo;
    const slow = fetchStatus(port, '/slow');
    await gate.entered;
    closed = app.close();
    expect(await refusesConnections(port)).toBe(true);
    gate.release();
    await expect(slow).resolves.toEqual({ status: 200, body: '{"done":true}' });
    await closed;
  });
});

describe('installGracefulShutdown', () => {
  const signal = 'SIGUSR2';
  afterEach(() => process.removeAllListeners(signal));

  function fakeApp() {
    return { enableShutdownHooks: jest.fn() };
  }

  it('enables Nest shutdown hooks for the signals and exits with 1 when shutdown overruns', () => {
    jest.useFakeTimers();
    try {
      const app = fakeApp();
      const exit = jest.fn();
      installGracefulShutdown(app, { timeoutMs: 5000, signals: [signal], exit });
      expect(app.enableShutdownHooks).toHaveBeenCalledWith([signal]);
      process.emit(signal, signal);
      expect(process.listenerCount(signal)).toBe(0); // a re-raised signal ends the process
      jest.advanceTimersByTime(4999);
      expect(exit).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1);
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('never keeps the process alive on its own, and can be uninstalled', () => {
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    try {
      const uninstall = installGracefulShutdown(fakeApp(), { signals: [signal], exit: jest.fn() });
      process.emit(signal, signal);
      const timer = setTimeoutSpy.mock.results[0]?.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
      clearTimeout(timer);
      const again = installGracefulShutdown(fakeApp(), { signals: [signal], exit: jest.fn() });
      expect(process.listenerCount(signal)).toBe(1);
      again();
      uninstall();
      expect(process.listenerCount(signal)).toBe(0);
    } finally {
      setTimeoutSpy.mockRestore();
    }
  });
});
