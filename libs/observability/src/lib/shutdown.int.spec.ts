import type { INestApplication } from '@nestjs/common';
import { getOnFreshConnection as fetchStatus, refusesConnections } from '@keycard/testing';
import { Agent, get, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createObservedApp, gate, PLATFORMS } from '../testing/observability-test-app';
import { installGracefulShutdown } from './shutdown';

const SIGNAL = 'SIGUSR2';

/** One GET through `agent` (a keep-alive agent reuses its connection, as load balancers do). */
function probe(
  agent: Agent,
  port: number,
  path: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
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

describe.each(PLATFORMS)('installGracefulShutdown on %s', (platform) => {
  const agent = new Agent({ keepAlive: true });
  let app: INestApplication;
  let exitCode: Promise<number>;
  let exit: jest.Mock<void, [number]>;

  beforeEach(async () => {
    gate.reset();
    app = await createObservedApp(platform);
    await app.listen(0, '127.0.0.1');
    exitCode = new Promise((resolve) => (exit = jest.fn((code: number) => resolve(code))));
  });

  afterEach(async () => {
    gate.release();
    process.removeAllListeners(SIGNAL);
    await exitCode; // the shutdown has closed the app
    agent.destroy();
  });

  it('drains: not ready at once, still serving; then finishes the request in flight and exits 0', async () => {
    const { port } = app.getHttpServer().address() as AddressInfo;
    installGracefulShutdown(app, { drainMs: 300, timeoutMs: 5000, signals: [SIGNAL], exit });
    const before = await probe(agent, port, '/health/ready');
    expect(before.status).toBe(200);
    expect(before.headers.connection).toBe('keep-alive');
    const slow = fetchStatus(port, '/slow');
    await gate.entered;

    process.emit(SIGNAL, SIGNAL);
    expect(process.listenerCount(SIGNAL)).toBe(0); // a second signal ends the process at once
    const draining = await probe(agent, port, '/health/ready');
    expect(draining.status).toBe(503);
    expect(JSON.parse(draining.body)).toMatchObject({
      status: 'error',
      error: { shutdown: { status: 'down', message: 'shutting down' } },
    });
    // Answers say the connection ends with them, so a client opens its next one elsewhere.
    expect(draining.headers.connection).toBe('close');
    const served = await probe(agent, port, '/things/7');
    expect(served).toMatchObject({ status: 200, body: '{"id":"7"}' });
    expect(served.headers.connection).toBe('close');

    // After the drain: no new connection, while the request in flight is still served.
    expect(await refusesConnections(port)).toBe(true);
    expect(exit).not.toHaveBeenCalled();
    gate.release();
    await expect(slow).resolves.toEqual({ status: 200, body: '{"done":true}' });
    expect(await exitCode).toBe(0);
  });
});

describe('installGracefulShutdown deadlines', () => {
  afterEach(() => {
    process.removeAllListeners(SIGNAL);
    jest.useRealTimers();
  });

  function fakeApp(close: () => Promise<void>) {
    const app = {
      close: jest.fn(close),
      get: () => {
        throw new Error('no such provider');
      },
      getHttpServer: () => undefined,
    };
    return app as typeof app & Parameters<typeof installGracefulShutdown>[0];
  }

  it('waits the drain before closing, then exits with 1 when closing overruns', async () => {
    jest.useFakeTimers();
    const app = fakeApp(() => new Promise<never>(() => undefined));
    const exit = jest.fn();
    installGracefulShutdown(app, { drainMs: 1000, timeoutMs: 5000, signals: [SIGNAL], exit });
    process.emit(SIGNAL, SIGNAL);
    await jest.advanceTimersByTimeAsync(999);
    expect(app.close).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(app.close).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(4999);
    expect(exit).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(1);
  });

  it.each([
    ['closes', 0, () => Promise.resolve()],
    ['fails to close', 1, () => Promise.reject(new Error('pool stuck'))],
  ])('exits once when the app %s, with %d', async (_case, code, close) => {
    jest.useFakeTimers();
    const exit = jest.fn();
    installGracefulShutdown(fakeApp(close), { drainMs: 0, signals: [SIGNAL], exit });
    process.emit(SIGNAL, SIGNAL);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(exit.mock.calls).toEqual([[code]]);
  });

  it('can be uninstalled', () => {
    const uninstall = installGracefulShutdown(
      fakeApp(() => Promise.resolve()),
      {
        signals: [SIGNAL],
        exit: jest.fn(),
      },
    );
    expect(process.listenerCount(SIGNAL)).toBe(1);
    uninstall();
    expect(process.listenerCount(SIGNAL)).toBe(0);
  });

  it('by default shuts down gracefully on SIGTERM, SIGINT and SIGHUP (a closed terminal)', () => {
    const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
    const before = signals.map((signal) => process.listenerCount(signal));
    const uninstall = installGracefulShutdown(
      fakeApp(() => Promise.resolve()),
      { exit: jest.fn() },
    );
    expect(signals.map((signal) => process.listenerCount(signal))).toEqual(
      before.map((count) => count + 1),
    );
    uninstall();
    expect(signals.map((signal) => process.listenerCount(signal))).toEqual(before);
  });
});
