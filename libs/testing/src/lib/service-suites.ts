import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { getOnFreshConnection, refusesConnections } from './http-probe';
import type { ServiceAppUnderTest } from './service-app';

/** Starts a service's app with `env`; `prepare` runs before `init()` (see `startServiceApp`). */
export type StartService = (
  env?: Record<string, string>,
  prepare?: (app: NestFastifyApplication) => void,
) => Promise<ServiceAppUnderTest>;

/** `/metrics` behind `METRICS_TOKEN`: refused (JSON 401) without it or with another, text with it. */
export function describeMetricsToken(service: string, start: StartService): void {
  describe(`${service} /metrics with METRICS_TOKEN`, () => {
    let running: ServiceAppUnderTest;
    const http = () => request(running.app.getHttpServer());

    beforeAll(async () => {
      running = await start({ METRICS_TOKEN: 'scrape-token-0123456789' });
    });

    afterAll(() => running?.close());

    it('needs the token as a bearer token', async () => {
      const refused = await http().get('/metrics').expect(401);
      expect(refused.headers['content-type']).toMatch(/^application\/json/);
      await http()
        .get('/metrics')
        .set('Authorization', 'Bearer wrong-token-0123456789')
        .expect(401);
      const ok = await http()
        .get('/metrics')
        .set('Authorization', 'Bearer scrape-token-0123456789')
        .expect(200);
      expect(ok.headers['content-type']).toMatch(/^text\/plain/);
      expect(ok.text).toContain('# TYPE keycard_auth_failures_total counter');
    });
  });
}

/**
 * Graceful shutdown: a request to `path` (a bearer route answering `{ sub }`) held after the guard
 * is finished after `close()`, while new connections are refused.
 */
export function describeGracefulShutdown(service: string, start: StartService, path: string): void {
  describe(`${service} graceful shutdown`, () => {
    it('finishes a request in flight after close() while refusing new connections', async () => {
      let release!: () => void;
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      // Holds the request after the guard, where a slow handler would be.
      const running = await start({}, (app) =>
        app.useGlobalInterceptors({
          intercept: async (context, next) => {
            if (context.switchToHttp().getRequest<{ url: string }>().url === path) {
              entered();
              await gate;
            }
            return next.handle();
          },
        }),
      );
      const { app } = running;
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const token = running.issuer.token({ sub: 'alice', roles: ['user'] });
      const inFlight = getOnFreshConnection(port, path, { Authorization: `Bearer ${token}` });
      await inside;
      const closing = running.close();
      try {
        expect(await refusesConnections(port)).toBe(true);
      } finally {
        release();
      }
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ sub: 'alice' });
      await closing;
    });
  });
}

/**
 * The first promise of a resource service: `GET /health` needs no credentials, and `path` answers
 * the bearer of `token()` (the test issuer's `{ sub: 'alice', roles: ['user'], scope: 'profile' }`)
 * with the caller's view. Declared inside the caller's `describe`, against the app it started.
 */
export function itServesHealthAndItsCaller(
  running: () => ServiceAppUnderTest,
  path: string,
  token: () => string,
): void {
  const http = () => request(running().app.getHttpServer());

  it('GET /health is public', async () => {
    await http().get('/health').expect(200, { status: 'ok' });
  });

  it(`GET ${path} describes the caller of a valid token`, async () => {
    const response = await http().get(path).set('Authorization', `Bearer ${token()}`).expect(200);
    expect(response.body).toEqual({
      sub: 'alice',
      roles: ['user'],
      scope: 'profile',
      authType: 'jwt',
    });
  });
}
