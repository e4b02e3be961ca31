import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER, requestIdOf } from './logger-params';

/**
 * Fastify gives every request an id before any middleware runs, and the request logger keeps
 * it; so on Fastify the id rule (the caller's valid `X-Request-Id`, else a UUID) is Fastify's
 * `genReqId`, and the id is echoed from an `onRequest` hook. Must run before the server starts.
 * An app that sets Fastify's own `requestIdHeader` option bypasses the validation: don't.
 */
export function useRequestIdOnFastify(fastify: FastifyInstance): void {
  fastify.setGenReqId((req) => requestIdOf(req.headers['x-request-id']));
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
