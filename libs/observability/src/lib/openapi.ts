import type { INestApplication } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { ApiSecurity, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { IS_PUBLIC_KEY } from '@keycard/auth';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Names of the security schemes in the document, for `@ApiBearerAuth('bearer')` and friends. */
export const OPENAPI_SECURITY = {
  bearer: 'bearer',
  apiKey: 'api_key',
  session: 'session',
} as const;

/** A way to authenticate that an app accepts, by its scheme name in the document. */
export type OpenApiScheme = keyof typeof OPENAPI_SECURITY;

export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
  /**
   * The credentials this app's guarded routes accept (default all three). Every route without
   * `@Public()` lists them as alternatives, so the explorer's "Authorize" sends what was pasted.
   */
  schemes?: readonly OpenApiScheme[];
}

/**
 * The OpenAPI options of a Keycard service: titled `Keycard <service>`, version 1.0.0, with the
 * credentials its guarded routes accept.
 */
export function keycardOpenApi(
  service: string,
  description: string,
  schemes: readonly OpenApiScheme[],
): OpenApiOptions {
  return { title: `Keycard ${service}`, version: '1.0.0', description, schemes };
}

/** Where `@ApiSecurity()` keeps its requirements (not exported by @nestjs/swagger). */
const SWAGGER_SECURITY_KEY = 'swagger/apiSecurity';

/**
 * Marks every guarded route (no `@Public()` on it or its controller) with the app's security
 * schemes, unless it declares its own. The guard is deny-by-default, so this is the truth of
 * every route without hand-written `@ApiBearerAuth()` on each.
 */
function declareSecurity(app: INestApplication, schemes: readonly OpenApiScheme[]): void {
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller?.prototype) continue;
      const controllerPublic = Reflect.getMetadata(IS_PUBLIC_KEY, controller) === true;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler: unknown = Reflect.get(controller.prototype, name);
        if (typeof handler !== 'function' || name === 'constructor') continue;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const isPublic = Reflect.getMetadata(IS_PUBLIC_KEY, handler) ?? controllerPublic;
        // @nestjs/swagger's key for @ApiSecurity() and friends: a route that says its own wins.
        if (isPublic === true || Reflect.hasMetadata(SWAGGER_SECURITY_KEY, handler)) continue;
        const descriptor = Object.getOwnPropertyDescriptor(controller.prototype, name);
        for (const scheme of schemes) {
          ApiSecurity(OPENAPI_SECURITY[scheme])(controller.prototype, name, descriptor ?? {});
        }
      }
    }
  }
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
  declareSecurity(app, options.schemes ?? ['bearer', 'apiKey', 'session']);
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
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

function page(title: string): string {
  const safeTitle = title.replace(/[<>&"]/g, '');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${safeTitle}</title>
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
