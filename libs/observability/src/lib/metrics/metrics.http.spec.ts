import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createObservedApp, PLATFORMS, ready } from '../../testing/observability-test-app';
import { KeycardMetrics } from './keycard-metrics';

/** The value of the series `name` whose labels include `labels` (any order), or undefined. */
function valueOf(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split('\n').find((l) => {
    const match = /^([^{ ]+)(?:\{(.*)\})? /.exec(l);
    if (match?.[1] !== name) return false;
    const present = (match[2] ?? '').split(',');
    return wanted.every((pair) => present.includes(pair));
  });
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const service = 'test-service';

describe.each(PLATFORMS)('metrics on %s', (platform) => {
  const apps: INestApplication[] = [];
  const start = async (options: Parameters<typeof createObservedApp>[1] = {}) => {
    const app = await ready(await createObservedApp(platform, options));
    apps.push(app);
    return app;
  };

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('counts requests by matched route pattern, never by raw URL', async () => {
    const app = await start();
    const http = request(app.getHttpServer());
    await http.get('/things/42').expect(200);
    await http.get('/things/43').expect(200);
    await http.get('/private').expect(401); // refused by the guard, still counted
    await http.get('/no/such/thing-99').expect(404);
    const res = await http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    const series = (route: string, status: string) => ({ method: 'GET', route, status, service });
    expect(valueOf(text, 'http_requests_total', series('/things/:id', '200'))).toBe(2);
    expect(valueOf(text, 'http_requests_total', series('/private', '401'))).toBe(1);
    expect(valueOf(text, 'http_requests_total', series('unmatched', '404'))).toBe(1);
    expect(valueOf(text, 'http_request_duration_seconds_count', series('/things/:id', '200'))).toBe(
      2,
    );
    expect(text).not.toMatch(/things\/4[23]|thing-99/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('exposes the Keycard counters and the signing-key age gauge', async () => {
    const app = await start({ defaultMetrics: false });
    const metrics = app.get(KeycardMetrics);
    metrics.authFailures.inc({ reason: 'invalid_password' });
    metrics.tokensIssued.inc({ kind: 'access' });
    metrics.tokensIssued.inc({ kind: 'refresh' }, 2);
    metrics.refreshReuse.inc();
    metrics.rateLimited.inc({ limiter: 'login' });
    metrics.jwksFetches.inc({ outcome: 'ok' });
    let text = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(text).not.toMatch(/^keycard_signing_key_age_seconds/m);
    metrics.setSigningKeyAgeProvider(() => 3600);
    text = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(
      valueOf(text, 'keycard_auth_failures_total', { reason: 'invalid_password', service }),
    ).toBe(1);
    expect(valueOf(text, 'keycard_tokens_issued_total', { kind: 'refresh', service })).toBe(2);
    expect(valueOf(text, 'keycard_refresh_reuse_detected_total', { service })).toBe(1);
    expect(valueOf(text, 'keycard_rate_limited_total', { limiter: 'login', service })).toBe(1);
    expect(valueOf(text, 'keycard_jwks_fetches_total', { outcome: 'ok', service })).toBe(1);
    expect(valueOf(text, 'keycard_signing_key_age_seconds', { service })).toBe(3600);
    expect(text).not.toContain('process_cpu_user_seconds_total');
  });

  it('keeps one registry per app instance', async () => {
    const first = await start({ service: 'first' });
    const second = await start({ service: 'second' });
    expect(first.get(KeycardMetrics).registry).not.toBe(second.get(KeycardMetrics).registry);
    first.get(KeycardMetrics).refreshReuse.inc();
    await request(first.getHttpServer()).get('/things/1').expect(200);
    const text = (await request(second.getHttpServer()).get('/metrics').expect(200)).text;
    expect(valueOf(text, 'keycard_refresh_reuse_detected_total', { service: 'second' })).toBe(0);
    expect(text).not.toContain('route="/things/:id"');
    expect(text).not.toContain('service="first"');
  });

  it('needs the bearer token when metricsToken is set', async () => {
    const token = 'metrics-token-0123456789';
    const http = request((await start({ metricsToken: token })).getHttpServer());
    await http.get('/metrics').expect(401);
    await http.get('/metrics').set('Authorization', 'Bearer wrong-token').expect(401);
    await http.get('/metrics').set('Authorization', `Basic ${token}`).expect(401);
    const res = await http.get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.text).toContain('http_requests_total');
  });
});
