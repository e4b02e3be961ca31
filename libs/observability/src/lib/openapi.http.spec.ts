import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createObservedApp, PLATFORMS, ready } from '../testing/observability-test-app';
import { setupOpenApi } from './openapi';

describe.each(PLATFORMS)('setupOpenApi on %s', (platform) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createObservedApp(platform);
    setupOpenApi(app, { title: 'Test <API>', version: '1.2.3', description: 'for tests' });
    await ready(app);
  });

  afterAll(() => app.close());

  it('serves the document with the three security schemes, without credentials', async () => {
    const res = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const document = JSON.parse(res.text) as {
      info: { title: string; version: string };
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(document.info).toMatchObject({ title: 'Test <API>', version: '1.2.3' });
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/things/{id}', '/health/live', '/health/ready', '/metrics']),
    );
    expect(document.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      api_key: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      session: { type: 'apiKey', in: 'cookie', name: 'keycard.sid' },
    });
  });

  it('lists the schemes on every guarded operation, and none on public ones', async () => {
    const res = await request(app.getHttpServer()).get('/docs-json').expect(200);
    const document = JSON.parse(res.text) as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
    };
    const guarded = document.paths['/private']?.get;
    expect(guarded?.security).toEqual([{ bearer: [] }, { api_key: [] }, { session: [] }]);
    expect(document.paths['/health/live']?.get?.security).toBeUndefined();
  });

  it('serves Swagger UI and its assets, which the deny-by-default guard does not cover', async () => {
    const http = request(app.getHttpServer());
    // The guard is live: a controller route without @Public() is refused.
    await http.get('/private').expect(401);
    const page = await http.get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('swagger-ui');
    if (platform === 'fastify') {
      // Our own page (Keycard's apps run on Fastify); on Express @nestjs/swagger serves its own.
      expect(page.text).toContain(
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
      );
    }
    const bundle = page.text.includes('swagger-ui-bundle.js') ? 'swagger-ui-bundle.js' : undefined;
    expect(bundle).toBeDefined();
    const asset = await http.get('/docs/swagger-ui-bundle.js').expect(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    await http.get('/docs/swagger-ui.css').expect(200).expect('Content-Type', /css/);
    await http.get('/docs/swagger-ui-init.js').expect(200);
  });
});
