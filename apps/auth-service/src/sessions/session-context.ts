import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator } from '@nestjs/common';
import type { ActiveSession } from './sessions.service';

/** The session that authenticated a request, kept beside it for the handlers of that request. */
const sessionsByRequest = new WeakMap<object, ActiveSession>();

export function attachSession(request: object, active: ActiveSession): void {
  sessionsByRequest.set(request, active);
}

export function sessionOfRequest(request: object): ActiveSession | undefined {
  return sessionsByRequest.get(request);
}

/**
 * The request's session and user. Throws (a programming error, hence a 500) on a route where no
 * session guard or authenticator ran.
 */
export const CurrentSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ActiveSession => {
    const active = sessionOfRequest(context.switchToHttp().getRequest<object>());
    if (!active) throw new Error('CurrentSession used on a route that no session guard protects');
    return active;
  },
);
