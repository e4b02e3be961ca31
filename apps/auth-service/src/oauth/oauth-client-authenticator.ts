import { Injectable } from '@nestjs/common';
import { ClientsService } from '../clients/clients.service';
import { isPublicClientType } from '../clients/client-registration';
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
    if (presented.method === 'none') return this.publicClient(presented.clientId);
    const client = await this.clients.authenticate(presented.clientId, presented.clientSecret);
    if (client === null) {
      throw invalidClient(
        'unknown client, wrong secret or revoked client',
        presented.method === 'client_secret_basic',
      );
    }
    return client;
  }

  /** A public client identified by its `client_id` alone; any other id is `invalid_client`. */
  private async publicClient(clientId: string): Promise<OAuthClientEntity> {
    const client = await this.clients.findActive(clientId);
    if (client === null || !isPublicClientType(client.type)) {
      throw invalidClient('client_id without client_secret, and not a public client', false);
    }
    return client;
  }

  /** Like `authenticate`, but a request without client credentials is `invalid_client` too. */
  async require(request: OAuthRequest): Promise<OAuthClientEntity> {
    const client = await this.authenticate(request);
    if (client === null) throw invalidClient('no client credentials', true);
    return client;
  }

  /** Like `require`, for what a public client may never do (introspection, client credentials). */
  async requireConfidential(request: OAuthRequest): Promise<OAuthClientEntity> {
    const client = await this.require(request);
    if (isPublicClientType(client.type))
      throw invalidClient('a public client has no secret', false);
    return client;
  }
}
