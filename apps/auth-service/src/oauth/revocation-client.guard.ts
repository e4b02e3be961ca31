import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ClientsService } from '../clients/clients.service';
import { invalidClient, presentedClientCredentials } from './client-credentials';
import { OAuthParams } from './oauth-params';

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
    const authorization = request.headers['authorization'];
    if (typeof authorization !== 'string' || authorization === '') {
      throw invalidClient('no client credentials', true);
    }
    const presented = presentedClientCredentials({ authorization, params: new OAuthParams({}) });
    const client =
      presented !== undefined && presented.method !== 'none'
        ? await this.clients.authenticate(presented.clientId, presented.clientSecret)
        : null;
    if (client === null)
      throw invalidClient('unknown client, wrong secret or revoked client', true);
    return true;
  }
}
