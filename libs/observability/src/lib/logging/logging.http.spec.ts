import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AsyncLocalStorage } from 'node:async_hooks';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import request from 'supertest';
import { createObservedApp, PLATFORMS, ready } from '../../testing/observability-test-app';
import { requestIdOf, withoutQuery } from './logger-params';
import { StructuredNestLogger, useStructuredLogger } from './use-structured-logger';

const SECRETS = {
  password: 'hunter2-password-secret',
  bearer: 'eyJhbGciOiJSUzI1NiJ9.bearer-token-secret.sig',
  apiKey: 'sk_live_apikeysecret1234567890',
  cookie: 'cookie-secret-456',
  setCookie: 'set-cookie-secret-77',
  code: 'oauth-code-secret-789',
  state: 'oauth-state-secret-012',
  refreshToken: 'rt_refresh-token-secret',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(PLATFORMS)('request logs on %s', (platform) => {
  let app: INestApplication;
  const lines: string[] = [];

  beforeAll(async () => {
    app = await createObservedApp(platform, {
      logLevel: 'info',
      logDestination: { write: (line: string) => void lines.push(line) },
    });
    await ready(app);
    useStructuredLogger(app);
  });

  afterAll(() => app.close());

  it('logs every request as JSON with its request id and no secret', async () => {
    const http = request(app.getHttpServer());
    const login = await http
      .post('/login')
      .set('X-Request-Id', 'req-id.123_abc')
      .send({
        email: 'a@example.com',
        password: SECRETS.password,
        refreshToken: SECRETS.refreshToken,
      })
      .expect(201);
    expect(login.headers['x-request-id']).toBe('req-id.123_abc');
    await http.get('/private').set('Authorization', `Bearer ${SECRETS.bearer}`).expect(401);
    await http
      .get('/things/1')
      .set('X-API-Key', SECRETS.apiKey)
      .set('Cookie', `keycard.sid=${SECRETS.cookie}`)
      .expect(200);
    await http.get(`/callback?code=${SECRETS.code}&state=${SECRETS.state}`).expect(200);

    const output = lines.join('');
    for (const [what, secret] of Object.entries(SECRETS)) {
      expect({ what, leaked: output.includes(secret) }).toEqual({ what, leaked: false });
    }
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const completed = entries.filter((entry) => entry['msg'] === 'request completed');
    expect(completed).toHaveLength(4);
    expect(completed[0]).toMatchObject({
      service: 'test-service',
      req: { id: 'req-id.123_abc', method: 'POST', url: '/login' },
      res: { statusCode: 201 },
    });
    expect(completed[3]).toMatchObject({ req: { url: '/callback' } });
    // A line the app logs during the request carries the same id.
    expect(entries).toContainEqual(
      expect.objectContaining({
        msg: 'login attempt',
        req: expect.objectContaining({ id: 'req-id.123_abc' }),
      }),
    );
    expect(output).not.toContain('"body"');
  });

  it.each([
    ['has spaces', 'bad id with spaces'],
    ['is too long', 'a'.repeat(129)],
    ['has a slash or a quote', 'a/b"c'],
  ])('replaces a request id that %s with a fresh UUID', async (_case, bad) => {
    lines.length = 0;
    const res = await request(app.getHttpServer()).get('/things/2').set('X-Request-Id', bad);
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(lines.join('')).toContain(res.headers['x-request-id']);
  });

  it('can leave out the per-request line', async () => {
    const quiet: string[] = [];
    const other = await createObservedApp(platform, {
      logLevel: 'info',
      requestLogs: false,
      logDestination: { write: (line: string) => void quiet.push(line) },
    });
    await ready(other);
    const res = await request(other.getHttpServer())
      .get('/things/3')
      .set('X-Request-Id', 'quiet-1');
    expect(res.headers['x-request-id']).toBe('quiet-1');
    expect(quiet.filter((line) => line.includes('request completed'))).toEqual([]);
    await other.close();
  });

  it('does not log probes and scrapes', async () => {
    lines.length = 0;
    await request(app.getHttpServer()).get('/health/live').expect(200);
    await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(lines).toEqual([]);
  });
});

// `requestContext: false` is a Fastify option: there the request id comes from an onRequest hook,
// while on Express it comes from the per-request logger itself (see ObservabilityOptions).
describe('request ids without the per-request logger (Fastify)', () => {
  it('still makes and echoes the request id', async () => {
    const quiet: string[] = [];
    const other = await createObservedApp('fastify', {
      logLevel: 'info',
      requestContext: false,
      logDestination: { write: (line: string) => void quiet.push(line) },
    });
    await ready(other);
    const server = other.getHttpServer();
    const echoed = await request(server).get('/things/4').set('X-Request-Id', 'bare-1');
    expect(echoed.headers['x-request-id']).toBe('bare-1');
    const made = await request(server).get('/things/5');
    expect(made.headers['x-request-id']).toMatch(UUID);
    expect(quiet.filter((line) => line.includes('request completed'))).toEqual([]);
    await other.close();
  });

  it("puts the id the app says is current on the app's own lines", async () => {
    // What an app tracks per request anyway (the auth-service: its audit context).
    const current = new AsyncLocalStorage<string>();
    // Without the per-request logger every line goes to nestjs-pino's logger for lines outside a
    // request, which the first app of a process makes: this test's app must be that first one.
    __resetOutOfContextForTests();
    const quiet: string[] = [];
    const other = await createObservedApp('fastify', {
      logLevel: 'info',
      requestContext: false,
      currentRequestId: () => current.getStore(),
      logDestination: { write: (line: string) => void quiet.push(line) },
    });
    const fastify = (other as NestFastifyApplication).getHttpAdapter().getInstance();
    fastify.addHook('preHandler', (req, _reply, done) => current.run(req.id, done));
    await ready(other);
    useStructuredLogger(other);
    await request(other.getHttpServer())
      .post('/login')
      .set('X-Request-Id', 'mixed-1')
      .send({ password: SECRETS.password })
      .expect(201);
    new Logger('Outside').log('no request here');
    const entries = quiet.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toContainEqual(
      expect.objectContaining({ msg: 'login attempt', req: { id: 'mixed-1' } }),
    );
    const outside = entries.find((entry) => entry['msg'] === 'no request here');
    expect(outside).toBeDefined();
    expect(outside).not.toHaveProperty('req');
    expect(quiet.join('')).not.toContain(SECRETS.password);
    await other.close();
  });
});

describe('request id and URL helpers', () => {
  it('keeps a valid id of at most 128 characters', () => {
    expect(requestIdOf('a'.repeat(128))).toBe('a'.repeat(128));
    expect(requestIdOf(['x', 'y'])).toMatch(UUID);
    expect(requestIdOf(undefined)).toMatch(UUID);
  });

  it('drops the query string and the fragment', () => {
    expect(withoutQuery('/cb?code=1&state=2')).toBe('/cb');
    expect(withoutQuery('/a#frag?x')).toBe('/a');
    expect(withoutQuery('/plain')).toBe('/plain');
  });
});

describe('StructuredNestLogger', () => {
  const calls: [string, unknown[]][] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) =>
      void calls.push([level, args]);
  const pino = {
    log: record('info'),
    error: record('error'),
    warn: record('warn'),
    debug: record('debug'),
    verbose: record('verbose'),
    fatal: record('fatal'),
  };

  beforeEach(() => calls.splice(0));

  it.each(['RoutesResolver', 'RouterExplorer', 'InstanceLoader', 'NestFactory', 'NestApplication'])(
    "writes Nest's %s lines at debug",
    (context) => {
      new StructuredNestLogger(pino).log('Mapped {/x, GET} route', context);
      expect(calls).toEqual([['debug', ['Mapped {/x, GET} route', context]]]);
    },
  );

  it("keeps the app's own lines and every warning and error at their level", () => {
    const logger = new StructuredNestLogger(pino);
    logger.log('auth-service ready', 'auth-service');
    logger.warn('careful', 'RouterExplorer');
    logger.error('broken', 'stack', 'RoutesResolver');
    expect(calls.map(([level]) => level)).toEqual(['info', 'warn', 'error']);
  });
});
