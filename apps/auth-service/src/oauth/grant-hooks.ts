import type { OAuthRequest } from './oauth-params';
import type { OAuthTokenResponse } from './oauth-token-response';

/**
 * `grant_type=authorization_code`, provided by the OpenID Provider (oidc/) through a module given
 * to `OAuthModule.register({ imports })`; without it the grant type is unsupported.
 */
export interface AuthorizationCodeGrant {
  redeem(request: OAuthRequest): Promise<OAuthTokenResponse>;
}

export const AUTHORIZATION_CODE_GRANT = Symbol('AUTHORIZATION_CODE_GRANT');
