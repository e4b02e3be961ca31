import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ClientsService } from '../clients/clients.service';
import { authenticatedServiceClient } from './client-credentials';

interface ClientRequest {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The revocation log is read by verifiers as registered clients (HTTP Basic), like introspection:
 * any registered, unrevoked client with a secret may follow it (it holds ids, never secrets).
 */
@Injectable()
export class RevocationClientGuard implements CanActivate {
  constructor(private readonly clients: ClientsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ClientRequest>();
    await authenticatedServiceClient(request.headers['authorization'], (id, secret) =>
      this.clients.authenticate(id, secret),
    );
    return true;
  }
}
