import { Injectable } from '@nestjs/common';
import { ClientsService } from '../clients/clients.service';
import { OAuthClientEntity } from '../clients/oauth-client.entity';
import { invalidClient, presentedClientCredentials } from './client-credentials';
import { OAuthRequest } from './oauth-params';

/** Checks the client credentials of an OAuth request against the registered clients. */
@Injectable()
export class OAuthClientAuthenticator {
  constructor(private readonly clients: ClientsService) {}

  /** The authenticated client, null when the request carries no client credentials, 401 when they are wrong. */
  async authenticate(request: OAuthRequest): Promise<OAuthClientEntity | null> {
    const presented = presentedClientCredentials(request);
    if (presented === undefined) return null;
    const client = await this.clients.authenticate(presented.clientId, presented.clientSecret);
    if (client === null) {
      throw invalidClient(
        'unknown client, wrong secret or revoked client',
        presented.method === 'client_secret_basic',
      );
    }
    return client;
  }

  /** Like `authenticate`, but a request without client credentials is `invalid_client` too. */
  async require(request: OAuthRequest): Promise<OAuthClientEntity> {
    const client = await this.authenticate(request);
    if (client === null) throw invalidClient('no client credentials', true);
    return client;
  }
}
