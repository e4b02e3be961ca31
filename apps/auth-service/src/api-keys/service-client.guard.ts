import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Public } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import { ClientsService } from '../clients/clients.service';
import { authenticatedServiceClient } from '../oauth/client-credentials';

/** The client scope that lets a resource service send API-key usage reports. */
export const USAGE_REPORT_SCOPE = 'usage:report';

const CLIENT_SCOPE_KEY = 'keycard:service-client-scope';

interface ServiceClientRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The authenticated client's id, set by the guard for the handler's logs. */
  serviceClientId?: string;
}

/**
 * A route for services, not users: `@Public()` for the user guard, then `ServiceClientGuard`
 * admits only a registered client (HTTP Basic) whose scopes include `scope`.
 */
export function ServiceClientRoute(scope: string): MethodDecorator & ClassDecorator {
  return applyDecorators(
    Public(),
    SetMetadata(CLIENT_SCOPE_KEY, scope),
    UseGuards(ServiceClientGuard),
  );
}

/** The id of the client `ServiceClientGuard` admitted for this request. */
export function serviceClientIdOf(request: { serviceClientId?: string }): string {
  return request.serviceClientId ?? 'unknown';
}

/**
 * Lets only registered service clients through, authenticated with HTTP Basic (RFC 6749
 * `client_secret_basic`), and only those granted the route's scope (`ServiceClientRoute`): any
 * client may introspect, but not every client may, say, add to another user's key usage.
 * 401 `invalid_client` for bad credentials, 403 `insufficient_scope` for a client without the scope.
 */
@Injectable()
export class ServiceClientGuard implements CanActivate {
  constructor(
    private readonly clients: ClientsService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ServiceClientRequest>();
    const client = await authenticatedServiceClient(
      request.headers['authorization'],
      (id, secret) => this.clients.authenticate(id, secret),
    );
    const scope = this.reflector.getAllAndOverride<string | undefined>(CLIENT_SCOPE_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    // No declared scope is a route wired without `ServiceClientRoute`: refuse rather than guess.
    if (scope === undefined || !client.scopes.includes(scope)) {
      throw new KeycardError(ErrorCode.InsufficientScope, {
        message: `This client may not do this (it needs the scope ${scope ?? '?'})`,
        reason: `client ${client.clientId} lacks the scope ${scope ?? '(none declared)'}`,
      });
    }
    request.serviceClientId = client.clientId;
    return true;
  }
}
