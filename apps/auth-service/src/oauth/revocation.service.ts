import { Inject, Injectable } from '@nestjs/common';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { API_KEY_REVOKER, ApiKeyRevoker } from './api-key-hooks';
import { OAuthClientAuthenticator } from './oauth-client-authenticator';
import { OAuthRequest } from './oauth-params';
import { presentedToken, tokenKind } from './token-kind';

/**
 * `POST /oauth/revoke` (RFC 7009) for registered clients: a refresh token ends its whole login
 * (family), an API key goes to the api-keys module. Access tokens are self-contained JWTs and
 * expire on their own; they, unknown tokens and tokens of another client all get the same 200.
 */
@Injectable()
export class RevocationService {
  constructor(
    private readonly clientAuth: OAuthClientAuthenticator,
    private readonly refreshTokens: RefreshTokensService,
    // Required: without it an API key sent here would get the usual 200 and stay live.
    @Inject(API_KEY_REVOKER) private readonly apiKeys: ApiKeyRevoker,
  ) {}

  async revoke(request: OAuthRequest): Promise<void> {
    const client = await this.clientAuth.require(request);
    const token = presentedToken(request.params);
    const kind = tokenKind(token);
    if (kind === 'refresh_token') {
      const record = await this.refreshTokens.lookup(token);
      // A token issued to one client cannot be revoked by another (§2.1); the answer does not say so.
      if (
        record !== undefined &&
        (record.family.clientId === null || record.family.clientId === client.clientId)
      ) {
        await this.refreshTokens.revokeFamily(record.family.id, 'oauth_revoke');
      }
    } else if (kind === 'api_key') {
      await this.apiKeys.revokeByKey(token);
    }
  }
}
