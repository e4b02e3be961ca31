import type { FastifyInstance } from 'fastify';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '@keycard/auth';
import type { AuditActor } from './audit-events';

/** What an audit event takes from the HTTP request it happened in. */
export interface RequestAuditContext {
  ip: string | null;
  userAgent: string | null;
  /** From the principal the global guard put on the request; null when anonymous. */
  actor: AuditActor | null;
}

/** The part of a Fastify request the audit context reads. */
export interface AuditedRequest {
  /** Fastify's request id (`X-Request-Id` when well-formed): put on log lines written meanwhile. */
  id?: string;
  ip?: string;
  headers: IncomingHttpHeaders;
  user?: Principal | null;
}

const requests = new AsyncLocalStorage<AuditedRequest>();

/**
 * Makes the current request reachable from any service below the controller, so that code which
 * records an event (a refresh-token reuse deep in a service, say) gets the caller's IP, user agent
 * and principal without threading them through every signature. A `preHandler` hook: it runs after
 * the body is parsed (the body's stream events would lose a context entered earlier), and the
 * guards, the handler and the exception filters run inside it. Install it before Nest registers
 * its routes (from a module's `configure`).
 */
export function installAuditContext(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', (request, _reply, done) => requests.run(request, done));
}

/** The current request's context, or null outside a request (scheduler, CLI, tests). */
export function currentRequestContext(): RequestAuditContext | null {
  const request = requests.getStore();
  if (!request) return null;
  const user = request.user;
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip ?? null,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
    actor: user ? actorOf(user) : null,
  };
}

/**
 * The id of the request being handled, or undefined outside one: the log lines the service writes
 * meanwhile carry it (`ObservabilityOptions.currentRequestId`), with no per-request logger.
 */
export function currentRequestId(): string | undefined {
  return requests.getStore()?.id;
}

/** Test-only seam and for callers outside HTTP: runs `fn` as if inside `request`. */
export function runInRequest<T>(request: AuditedRequest, fn: () => T): T {
  return requests.run(request, fn);
}

/** An API key acts as itself (its id), a service client as its client id, anyone else as a user. */
export function actorOf(principal: Principal): AuditActor {
  if (principal.authType === 'api_key')
    return { type: 'api_key', id: principal.tokenId ?? principal.sub };
  if (
    principal.scopeRestricted &&
    principal.clientId !== undefined &&
    principal.clientId === principal.sub
  ) {
    return { type: 'client', id: principal.clientId };
  }
  return { type: 'user', id: principal.sub };
}
