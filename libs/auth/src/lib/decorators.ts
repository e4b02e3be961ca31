import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator, SetMetadata } from '@nestjs/common';
import type { Principal } from './principal';

export const IS_PUBLIC_KEY = 'keycard:public';
export const ROLES_KEY = 'keycard:roles';
export const SCOPES_KEY = 'keycard:scopes';

/** Opts a route (or a whole controller) out of authentication. */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(IS_PUBLIC_KEY, true);
}

/** The caller needs at least one of these roles (403 otherwise). A method's list replaces its class's. */
export function Roles(...roles: string[]): MethodDecorator & ClassDecorator {
  return SetMetadata(ROLES_KEY, roles);
}

/**
 * A scope-restricted caller (API key, client token) needs all of these scopes (403 otherwise);
 * user tokens are governed by roles instead. Class and method scopes add up.
 */
export function Scopes(...scopes: string[]): MethodDecorator & ClassDecorator {
  return SetMetadata(SCOPES_KEY, scopes);
}

function isPrincipal(value: unknown): value is Principal {
  return (
    typeof value === 'object' && value !== null && typeof (value as Principal).sub === 'string'
  );
}

/**
 * The principal the guard put on `request`; throws (a programming error, hence a 500) when no
 * principal is there, e.g. on a `@Public()` route.
 */
export function principalOf(request: { user?: unknown }): Principal {
  const user = request.user;
  if (!isPrincipal(user)) {
    throw new Error(
      'CurrentPrincipal used on a route without an authenticated principal (is it @Public()?)',
    );
  }
  return user;
}

/**
 * The authenticated principal of the request. Throws (a programming error, hence a 500) when no
 * principal is there, i.e. the guard did not run, for example on a `@Public()` route.
 */
export const CurrentPrincipal = createParamDecorator(
  // The HTTP request is argument 0 (cheaper than switchToHttp() on every call).
  (_data: unknown, context: ExecutionContext): Principal =>
    principalOf(context.getArgByIndex<{ user?: unknown }>(0)),
);
