import { Inject, Injectable, Optional } from '@nestjs/common';
import { ErrorCode, KeycardError } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { OAuthClientEntity } from '../clients/oauth-client.entity';
import { AccessTokenService } from '../tokens/access-token.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { TokenPair, TokensService } from '../tokens/tokens.service';
import { AUTHORIZATION_CODE_GRANT, AuthorizationCodeGrant } from './grant-hooks';
import { OAuthClientAuthenticator } from './oauth-client-authenticator';
import { OAuthRequest } from './oauth-params';
import type { OAuthTokenResponse } from './oauth-token-response';
import { grantableScopes, invalidScope, parseScopeParam, scopeList } from './scope';

// The grant hooks (`grant-hooks.ts`) answer with it too: it has a file of its own.
export type { OAuthTokenResponse } from './oauth-token-response';

function invalidGrant(reason: string): KeycardError {
  return new KeycardError(ErrorCode.OAuthInvalidGrant, { reason });
}

/** `POST /oauth/token`: `client_credentials`, `refresh_token` and (see `grant-hooks.ts`) `authorization_code`. */
@Injectable()
export class OAuthTokenService {
  constructor(
    private readonly clientAuth: OAuthClientAuthenticator,
    private readonly access: AccessTokenService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly tokens: TokensService,
    private readonly metrics: KeycardMetrics,
    // Optional on purpose: OAuthModule may be composed without the OpenID provider (grant-hooks.ts);
    // then `authorization_code` answers unsupported_grant_type, a refusal that never issues a token.
    @Optional()
    @Inject(AUTHORIZATION_CODE_GRANT)
    private readonly authorizationCode?: AuthorizationCodeGrant,
  ) {}

  async token(request: OAuthRequest): Promise<OAuthTokenResponse> {
    const grantType = request.params.require('grant_type');
    switch (grantType) {
      case 'client_credentials':
        return this.clientCredentials(await this.clientAuth.requireConfidential(request), request);
      case 'refresh_token':
        return this.refresh(await this.clientAuth.authenticate(request), request);
      case 'authorization_code':
        if (this.authorizationCode !== undefined) return this.authorizationCode.redeem(request);
        break;
    }
    throw new KeycardError(ErrorCode.OAuthUnsupportedGrantType, {
      reason: 'unknown grant_type',
    });
  }

  /** RFC 6749 §4.4: a token for the client itself (`sub` = `client_id`, no roles), no refresh token. */
  private async clientCredentials(
    client: OAuthClientEntity,
    request: OAuthRequest,
  ): Promise<OAuthTokenResponse> {
    if (client.type !== 'service') {
      throw new KeycardError(ErrorCode.OAuthUnauthorizedClient, {
        reason: 'client_credentials is for service clients',
      });
    }
    const scope = grantableScopes(parseScopeParam(request.params.get('scope')), client.scopes).join(
      ' ',
    );
    const issued = await this.access.issue({
      sub: client.clientId,
      roles: [],
      scope,
      clientId: client.clientId,
    });
    this.metrics.tokensIssued.inc({ kind: 'client_credentials' });
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      scope,
    };
  }

  /**
   * RFC 6749 §6 with the rotation and reuse rules of `/auth/refresh`. A token issued to a client
   * needs that client authenticated; a user's token (bound to no client) may be refreshed by any
   * authenticated client or with no client authentication at all.
   */
  private async refresh(
    client: OAuthClientEntity | null,
    request: OAuthRequest,
  ): Promise<OAuthTokenResponse> {
    const presented = request.params.require('refresh_token');
    const requested = parseScopeParam(request.params.get('scope'));
    const record = await this.refreshTokens.lookup(presented);
    if (record === undefined) throw invalidGrant('unknown refresh token');
    const granted = scopeList(record.family.scope);
    if (requested !== undefined && !sameScopes(requested, granted)) {
      // §6 allows narrowing; Keycard keeps one scope per login, so only the granted scope may be asked for.
      throw invalidScope('A refresh may only ask for the scope originally granted');
    }
    const pair = await this.rotate(presented, client?.clientId ?? null);
    return {
      access_token: pair.accessToken,
      token_type: 'Bearer',
      expires_in: pair.expiresIn,
      refresh_token: pair.refreshToken,
      scope: record.family.scope,
    };
  }

  private async rotate(presented: string, clientId: string | null): Promise<TokenPair> {
    try {
      return await this.tokens.refresh(presented, clientId);
    } catch (error) {
      if (error instanceof KeycardError && error.code === ErrorCode.InvalidToken) {
        throw invalidGrant(error.reason ?? 'refresh refused');
      }
      throw error;
    }
  }
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((scope) => b.includes(scope));
}
