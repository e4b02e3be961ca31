import type { ClientType } from './client-registration';
import type { OAuthClientEntity } from './oauth-client.entity';

/** What listings show of a client: never its secret or hash. Times are ISO 8601 strings. */
export interface ClientView {
  clientId: string;
  name: string;
  type: ClientType;
  scopes: string[];
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  firstParty: boolean;
  backchannelLogoutUri: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** A registration answer (API.md section 5): the secret only for `web`/`service`, and only once. */
export interface RegisteredClient extends Omit<ClientView, 'createdAt' | 'revokedAt'> {
  clientSecret?: string;
}

export function toClientView(client: OAuthClientEntity): ClientView {
  return {
    clientId: client.clientId,
    name: client.name,
    type: client.type,
    scopes: client.scopes,
    redirectUris: client.redirectUris,
    postLogoutRedirectUris: client.postLogoutRedirectUris,
    firstParty: client.firstParty,
    backchannelLogoutUri: client.backchannelLogoutUri,
    createdAt: new Date(client.createdAt).toISOString(),
    revokedAt: client.revokedAt === null ? null : new Date(client.revokedAt).toISOString(),
  };
}

/** The registration answer for a client, with `secret` when one was just made. */
export function toRegisteredClient(client: OAuthClientEntity, secret?: string): RegisteredClient {
  const view: RegisteredClient = {
    clientId: client.clientId,
    name: client.name,
    type: client.type,
    scopes: client.scopes,
    redirectUris: client.redirectUris,
    postLogoutRedirectUris: client.postLogoutRedirectUris,
    firstParty: client.firstParty,
    backchannelLogoutUri: client.backchannelLogoutUri,
  };
  return secret === undefined ? view : { ...view, clientSecret: secret };
}
