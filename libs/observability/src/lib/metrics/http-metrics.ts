import type { AbstractHttpAdapter } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import type { KeycardMetrics } from './keycard-metrics';

/** The `route` label of a request no route matched (404s): keeps the label set bounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Counts and times every HTTP request at the server level, so requests refused by a guard (401,
 * 403, 429) and unmatched ones (404) are counted too, which a Nest interceptor would miss. Must
 * run before Nest registers its routes (from a module's `configure`). Per request: one closure
 * (Express), one counter increment and one histogram observation; labels are the method, the
 * matched route pattern (never the raw URL) and the status code.
 */
export function instrumentHttpServer(adapter: AbstractHttpAdapter, metrics: KeycardMetrics): void {
  if (adapter.getType() === 'fastify') {
    instrumentFastify(adapter.getInstance<FastifyInstance>(), metrics);
  } else {
    adapter.use(expressMetricsMiddleware(metrics));
  }
}

function instrumentFastify(fastify: FastifyInstance, metrics: KeycardMetrics): void {
  const { httpRequests, httpDuration } = metrics;
  fastify.addHook(
    'onResponse',
    (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        status: reply.statusCode,
      };
      httpRequests.inc(labels);
      httpDuration.observe(labels, reply.elapsedTime / 1000);
      done();
    },
  );
}

/** What Express puts on `req.route` for the last route layer a request went through. */
interface ExpressRoute {
  path?: unknown;
  methods?: Record<string, boolean>;
}

/**
 * The matched route pattern on Express. Nest mounts `forRoutes('*')` middleware (e.g. the request
 * logger) as a route for every method, so a request no controller matched still has a
 * `req.route` (`/{*path}`). Only a route for one method is a controller route; an `@All()`
 * controller route therefore reads `unmatched` too, which keeps the label bounded.
 */
function expressRoute(route: ExpressRoute | undefined): string {
  const single = route?.methods !== undefined && Object.keys(route.methods).length === 1;
  return single && typeof route.path === 'string' ? route.path : UNMATCHED_ROUTE;
}

/** Express middleware; `req.route` is set by the router once a route matched. */
function expressMetricsMiddleware(
  metrics: KeycardMetrics,
): (req: Request, res: Response, next: NextFunction) => void {
  const { httpRequests, httpDuration } = metrics;
  return (req, res, next) => {
    const start = performance.now();
    res.once('finish', () => {
      const labels = {
        method: req.method,
        route: expressRoute(req.route as ExpressRoute | undefined),
        status: res.statusCode,
      };
      httpRequests.inc(labels);
      httpDuration.observe(labels, (performance.now() - start) / 1000);
    });
    next();
  };
}
