import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Params } from 'nestjs-pino';
import type { Options } from 'pino-http';
import type { SerializedRequest, SerializedResponse } from 'pino-std-serializers';
import type { ObservabilityOptions } from '../options';

/** The header a request id is read from and echoed in. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Probes and scrapes: frequent and uninteresting, so not logged per request. */
const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/**
 * Pino redaction (defence in depth: bodies and query strings are never logged at all). Headers
 * carrying credentials, and the usual secret fields of objects an app logs.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-csrf-token"]',
  'req.headers.referer',
  'res.headers["set-cookie"]',
  ...['password', 'token', 'accessToken', 'refreshToken', 'refresh_token', 'access_token']
    .concat(['clientSecret', 'client_secret', 'apiKey', 'secret', 'cookie'])
    .flatMap((field) => [field, `*.${field}`]),
];

/** The caller's `X-Request-Id` when it is safe to log (≤ 128 of `[A-Za-z0-9._-]`), else a UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && VALID_REQUEST_ID.test(header) ? header : randomUUID();
}

/** `/path?query#hash` → `/path`: query strings can carry OAuth codes and state. */
export function withoutQuery(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * What a log line says about a request. Headers are left out: pino serializes the request into
 * every request's child logger, so each header would cost on every request, logged or not (and
 * `referer`, `cookie` and the like are where secrets hide). Redaction covers them all the same.
 */
function serializeRequest(req: SerializedRequest): Record<string, unknown> {
  return {
    id: req.id,
    method: req.method,
    url: withoutQuery(req.url),
    remoteAddress: req.remoteAddress,
  };
}

function serializeResponse(res: SerializedResponse): Record<string, unknown> {
  return { statusCode: res.statusCode };
}

/** The `nestjs-pino` configuration of a Keycard service. */
export function loggerParams(options: ObservabilityOptions): Params {
  const pinoHttp: Options = {
    level: options.logLevel ?? 'info',
    base: { service: options.service, pid: process.pid, hostname: hostname() },
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    // Express only: on Fastify the request already has the id Fastify gave it (see fastify-request-id.ts).
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdOf(req.headers['x-request-id']);
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    serializers: { req: serializeRequest, res: serializeResponse },
    autoLogging: options.requestLogs !== false && {
      // Fastify's middleware layer (middie) rewrites `url`; `originalUrl` keeps the full path.
      ignore: (req: IncomingMessage & { originalUrl?: string }) =>
        QUIET_PATHS.includes(withoutQuery(req.originalUrl ?? req.url) ?? ''),
    },
  };
  const currentRequestId = options.currentRequestId;
  if (options.requestContext === false && currentRequestId !== undefined)
    pinoHttp.mixin = () => requestIdMixin(currentRequestId());
  const params: Params = {
    pinoHttp: options.logDestination ? [pinoHttp, options.logDestination] : pinoHttp,
  };
  // No routes: the pino-http middleware (a child logger and an async context per request) is not mounted.
  if (options.requestContext === false) params.forRoutes = [];
  return params;
}

/**
 * What a line written during request `id` gains: `req.id`, as a per-request logger's lines have.
 * A fresh object each time: pino merges the line's own fields into it.
 */
function requestIdMixin(id: string | undefined): object {
  return id === undefined ? {} : { req: { id } };
}
