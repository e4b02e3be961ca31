import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ClientsService } from '../clients/clients.service';
import { invalidClient, presentedClientCredentials } from '../oauth/client-credentials';
import { OAuthParams } from '../oauth/oauth-params';

interface HeaderCarrier {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Lets only registered service clients through, authenticated with HTTP Basic (RFC 6749
 * `client_secret_basic`). For routes marked `@Public()` for the user guard: services call them, not users.
 */
@Injectable()
export class ServiceClientGuard implements CanActivate {
  constructor(private readonly clients: ClientsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const authorization = context.switchToHttp().getRequest<HeaderCarrier>().headers[
      'authorization'
    ];
    if (typeof authorization !== 'string' || authorization === '') {
      throw invalidClient('no client credentials', true);
    }
    const presented = presentedClientCredentials({ authorization, params: new OAuthParams({}) });
    const client = presented
      ? await this.clients.authenticate(presented.clientId, presented.clientSecret)
      : null;
    if (client === null) {
      throw invalidClient('unknown client, wrong secret or revoked client', true);
    }
    return true;
  }
}
