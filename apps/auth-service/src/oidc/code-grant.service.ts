import { Injectable } from '@nestjs/common';
import { ErrorCode, KeycardError } from '@keycard/common';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import type { OAuthClientEntity } from '../clients/oauth-client.entity';
import type { AuthorizationCodeGrant } from '../oauth/grant-hooks';
import { OAuthClientAuthenticator } from '../oauth/oauth-client-authenticator';
import type { OAuthRequest } from '../oauth/oauth-params';
import type { OAuthTokenResponse } from '../oauth/oauth-token.service';
import { scopeList } from '../oauth/scope';
import { SessionsService } from '../sessions/sessions.service';
import { AccessTokenService } from '../tokens/access-token.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { UsersService } from '../users/users.service';
import { AppLoginsService } from './app-logins.service';
import { AuthorizationCodesService, invalidGrant } from './authorization-codes.service';
import { IdTokenService } from './id-token.service';
import type { OidcCodeEntity } from './oidc-records.entity';

function unauthorizedClient(reason: string): KeycardError {
  return new KeycardError(ErrorCode.OAuthUnauthorizedClient, { reason });
}

/**
 * `grant_type=authorization_code` (API.md section 5). Every redemption starts a refresh-token
 * family bound to the client — the app's login, whose id is the `sid` of its tokens — so that
 * a replayed code, the end of the browser session or a removed connected app revokes all of it;
 * the refresh token itself is handed out only when `offline_access` was granted.
 */
@Injectable()
export class CodeGrantService implements AuthorizationCodeGrant {
  constructor(
    private readonly clientAuth: OAuthClientAuthenticator,
    private readonly codes: AuthorizationCodesService,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly access: AccessTokenService,
    private readonly idTokens: IdTokenService,
    private readonly logins: AppLoginsService,
    private readonly audit: AuditService,
  ) {}

  async redeem(request: OAuthRequest): Promise<OAuthTokenResponse> {
    const client = await this.appClient(request);
    const code = await this.codes.redeem(
      {
        code: request.params.require('code'),
        clientId: client.clientId,
        redirectUri: request.params.get('redirect_uri'),
        codeVerifier: request.params.get('code_verifier'),
      },
      (replayed) => this.revokeReplayed(replayed),
    );
    const user = await this.users.findById(code.userId);
    if (user === null || user.disabled) throw invalidGrant('user disabled or deleted');
    if (!(await this.sessions.isLive(code.sessionId, code.userId))) {
      throw invalidGrant('the browser session of the code has ended');
    }
    const scopes = scopeList(code.scope);
    const signIn = { amr: code.amr, authTime: code.authTime };
    const grant = await this.refreshTokens.start(user.id, {
      clientId: client.clientId,
      scope: code.scope,
      signIn,
    });
    const sid = grant.family.id;
    await this.logins.record({
      familyId: sid,
      sessionId: code.sessionId,
      clientId: client.clientId,
      userId: user.id,
    });
    if (await this.codes.attachLogin(code.codeHash, sid)) {
      await this.refreshTokens.revokeFamily(sid, 'code_replay');
      throw invalidGrant('code already redeemed');
    }
    const issued = await this.access.issue({
      sub: user.id,
      roles: user.roles,
      scope: code.scope,
      clientId: client.clientId,
      sid,
      signIn,
    });
    const idToken = scopes.includes('openid')
      ? await this.idTokens.idToken({
          user,
          clientId: client.clientId,
          scopes,
          sid,
          signIn,
          nonce: code.nonce,
        })
      : undefined;
    this.recordRedeemed(code, sid);
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      ...(idToken !== undefined ? { id_token: idToken } : {}),
      scope: code.scope,
      ...(scopes.includes('offline_access') ? { refresh_token: grant.refreshToken } : {}),
    };
  }

  /** A web app authenticates with its secret; a public app sends its `client_id` alone. */
  private async appClient(request: OAuthRequest): Promise<OAuthClientEntity> {
    const client = await this.clientAuth.require(request);
    if (client.type === 'service') {
      throw unauthorizedClient('a service client has no authorization codes');
    }
    return client;
  }

  private async revokeReplayed(code: OidcCodeEntity): Promise<void> {
    if (code.familyId !== null) await this.refreshTokens.revokeFamily(code.familyId, 'code_replay');
    void this.audit.record({
      type: AuditEventType.OidcCodeReplayed,
      outcome: 'failure',
      actor: { type: 'client', id: code.clientId },
      subjectId: code.familyId,
      details: { userId: code.userId },
    });
  }

  private recordRedeemed(code: OidcCodeEntity, sid: string): void {
    void this.audit.record({
      type: AuditEventType.OidcCodeRedeemed,
      outcome: 'success',
      actor: { type: 'client', id: code.clientId },
      subjectId: sid,
      details: { userId: code.userId, scope: code.scope },
    });
  }
}
