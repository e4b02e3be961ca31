import {
  MemoryRateLimitStore,
  RateLimitStore,
  SystemClock,
  type RateLimitResult,
} from '@keycard/common';
import { KeycardMetrics, type ReadinessCheck, type ReadinessService } from '@keycard/observability';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { ResourceSettings } from '../config/resource.config';
import { AuthServiceReachability, observeRateLimitFallback } from './dependency-health';

async function gaugeValue(registry: Registry, name: string): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  return (await metric?.get())?.values[0]?.value;
}

describe('AuthServiceReachability', () => {
  let server: Server;
  let issuer: string;
  const checks = new Map<string, ReadinessCheck>();
  const readiness = {
    addCheck: (name: string, check: ReadinessCheck) => checks.set(name, check),
  } as unknown as ReadinessService;

  beforeEach(async () => {
    server = createServer((req, res) =>
      res.writeHead(req.url === '/health/live' ? 200 : 404).end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it('says the auth-service is unreachable (detail and metric) without failing readiness', async () => {
    const registry = new Registry();
    const probe = new AuthServiceReachability(
      { issuer, internalUrl: undefined } as unknown as ResourceSettings,
      readiness,
      new KeycardMetrics(registry),
    );
    probe.onModuleInit();
    await probe.probe();
    expect(await checks.get('authService')?.()).toMatchObject({
      up: true,
      details: { reachable: true },
    });
    expect(await gaugeValue(registry, 'keycard_auth_service_reachable')).toBe(1);

    await new Promise((resolve) => server.close(resolve));
    await probe.probe();
    expect(await checks.get('authService')?.()).toMatchObject({
      up: true,
      details: { reachable: false, lastError: 'ECONNREFUSED' },
    });
    expect(await gaugeValue(registry, 'keycard_auth_service_reachable')).toBe(0);
    probe.onApplicationShutdown();
    server = createServer(); // for afterEach
    server.listen(0);
  });
});

class FlakyStore extends RateLimitStore {
  failing = false;
  hit(): Promise<RateLimitResult> {
    return this.failing
      ? Promise.reject(new Error('offline'))
      : Promise.resolve({ allowed: true, count: 1, retryAfterSeconds: 60 });
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
  reset(): Promise<void> {
    return Promise.resolve();
  }
}

describe('observeRateLimitFallback', () => {
  it('is 1 while the shared store fails and 0 once it answers', async () => {
    const registry = new Registry();
    const inner = new FlakyStore();
    const store = observeRateLimitFallback(inner, registry);
    const gauge = () => gaugeValue(registry, 'keycard_api_key_rate_limit_fallback');
    await store.hit('k', 10, 60);
    expect(await gauge()).toBe(0);
    inner.failing = true;
    await expect(store.hit('k', 10, 60)).rejects.toThrow('offline');
    expect(await gauge()).toBe(1);
    inner.failing = false;
    await store.hit('k', 10, 60);
    expect(await gauge()).toBe(0);
  });

  it('leaves an in-process store as it is', () => {
    const memory = new MemoryRateLimitStore(new SystemClock());
    expect(observeRateLimitFallback(memory, new Registry())).toBe(memory);
  });
});
