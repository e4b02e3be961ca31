import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Names of the security schemes in the document, for `@ApiBearerAuth('bearer')` and friends. */
export const OPENAPI_SECURITY = {
  bearer: 'bearer',
  apiKey: 'api_key',
  session: 'session',
} as const;

export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
}

/** The OpenAPI document of an app, with Keycard's three ways to authenticate. */
export function createOpenApiDocument(
  app: INestApplication,
  options: OpenApiOptions,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setVersion(options.version)
    .setDescription(options.description ?? '')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'RS256 access token' },
      OPENAPI_SECURITY.bearer,
    )
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, OPENAPI_SECURITY.apiKey)
    .addCookieAuth(
      'keycard.sid',
      { type: 'apiKey', in: 'cookie', name: 'keycard.sid' },
      OPENAPI_SECURITY.session,
    )
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Mounts Swagger UI at `/docs` and the document at `/docs-json`; call it in main.ts after
 * `configureHttpApp`, before `listen`. These routes sit outside Nest's controllers, so the
 * Keycard guard does not run on them: they are public (they describe the API, they expose no
 * data). On Fastify, @nestjs/swagger serves its UI through `@fastify/static`, which is not
 * installed; there the UI is a small page loading the swagger-ui-dist assets served here.
 */
export function setupOpenApi(app: INestApplication, options: OpenApiOptions): void {
  const document = () => createOpenApiDocument(app, options);
  const fastify = app.getHttpAdapter().getType() === 'fastify';
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
    ui: !fastify,
    customSiteTitle: options.title,
  });
  if (fastify) serveSwaggerUi(app, options.title);
}

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
};

const INIT_JS = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/docs-json',
    dom_id: '#swagger-ui',
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

function page(title: string): string {
  const safeTitle = title.replace(/[<>&"]/g, '');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${safeTitle}</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/swagger-ui-init.js"></script>
</body>
</html>
`;
}

/** Swagger UI without a static-file plugin: four fixed files, read once, served by the adapter. */
function serveSwaggerUi(app: INestApplication, title: string): void {
  const adapter = app.getHttpAdapter();
  const root = swaggerUiDistFolder();
  const files = new Map<string, { type: string; body: string | Buffer }>([
    ['/docs', { type: 'text/html; charset=utf-8', body: page(title) }],
    ['/docs/swagger-ui-init.js', { type: ASSETS['swagger-ui-bundle.js'], body: INIT_JS }],
  ]);
  for (const [path, file] of files) {
    adapter.get(path, (_req: unknown, res: unknown) => send(adapter, res, file.type, file.body));
  }
  for (const [name, type] of Object.entries(ASSETS)) {
    let body: Buffer | undefined;
    adapter.get(`/docs/${name}`, (_req: unknown, res: unknown) => {
      body ??= readFileSync(join(root, name));
      send(adapter, res, type, body);
    });
  }
}

/**
 * swagger-ui-dist (a dependency of @nestjs/swagger, untyped, not importable through
 * @nestjs/swagger's exports) is located from this file at run time; webpack leaves `__filename`
 * alone in the apps' node bundles (`node: false`).
 */
function swaggerUiDistFolder(): string {
  return dirname(createRequire(__filename).resolve('swagger-ui-dist/package.json'));
}

function send(
  adapter: ReturnType<INestApplication['getHttpAdapter']>,
  res: unknown,
  type: string,
  body: string | Buffer,
): void {
  adapter.setHeader(res, 'Content-Type', type);
  adapter.setHeader(res, 'Cache-Control', 'public, max-age=3600');
  adapter.reply(res, body, 200);
}
