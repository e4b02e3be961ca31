import type { INestApplication } from '@nestjs/common';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createObservedApp, gate, PLATFORMS } from '../testing/observability-test-app';
import { installGracefulShutdown } from './shutdown';

function fetchStatus(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

async function refusesConnections(port: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    try {
      await fetchStatus(port, '/health/live');
    } catch (error) {
      // Refused, or reset while the listening socket closes under the connect (Fastify).
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return true;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

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
