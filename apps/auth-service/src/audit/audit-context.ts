import { Injectable, NestMiddleware } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { Principal } from '@keycard/auth';
import type { AuditActor } from './audit-events';

/** What an audit event takes from the HTTP request it happened in. */
export interface RequestAuditContext {
  ip: string | null;
  userAgent: string | null;
  /** From the principal the global guard put on the request; null when anonymous. */
  actor: AuditActor | null;
}

const requests = new AsyncLocalStorage<Request>();

/**
 * Makes the current request reachable from any service below the controller, so that code which
 * records an event (a refresh-token reuse deep in a service, say) gets the caller's IP, user agent
 * and principal without threading them through every signature. Runs after the body parsers.
 */
@Injectable()
export class AuditContextMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    requests.run(request, next);
  }
}

/** The current request's context, or null outside a request (scheduler, CLI, tests). */
export function currentRequestContext(): RequestAuditContext | null {
  const request = requests.getStore();
  if (!request) return null;
  const user = (request as Request & { user?: Principal }).user;
  return {
    ip: request.ip ?? null,
    userAgent: request.get('user-agent') ?? null,
    actor: user ? actorOf(user) : null,
  };
}

/** Test-only seam and for callers outside Express: runs `fn` as if inside `request`. */
export function runInRequest<T>(request: Request, fn: () => T): T {
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
