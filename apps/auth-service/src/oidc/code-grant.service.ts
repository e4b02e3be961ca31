import { Injectable } from '@nestjs/common';
import { ErrorCode, KeycardError } from '@keycard/common';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import type { OAuthClientEntity } from '../clients/oauth-client.entity';
import type { AtomicStatement } from '../database/atomic-writes';
import type { AuthorizationCodeGrant } from '../oauth/grant-hooks';
import { OAuthClientAuthenticator } from '../oauth/oauth-client-authenticator';
import type { OAuthRequest } from '../oauth/oauth-params';
import type { OAuthTokenResponse } from '../oauth/oauth-token.service';
import { scopeList } from '../oauth/scope';
import { SessionsService } from '../sessions/sessions.service';
import { AccessTokenService } from '../tokens/access-token.service';
import type { SignInContext } from '../auth-context/sign-in-context';
import { RefreshGrant, RefreshTokensService } from '../tokens/refresh-tokens.service';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { AppLoginsService } from './app-logins.service';
import { AuthorizationCodesService, invalidGrant } from './authorization-codes.service';
import { IdTokenService } from './id-token.service';
import type { OidcCodeEntity } from './oidc-records.entity';

/** How and when the user signed in for the session the code was issued in. */
function signInOf(code: OidcCodeEntity): SignInContext {
  return { amr: code.amr, authTime: code.authTime };
}

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
    const code = await this.codes.find(
      {
        code: request.params.require('code'),
        clientId: client.clientId,
        redirectUri: request.params.get('redirect_uri'),
        codeVerifier: request.params.get('code_verifier'),
      },
      (replayed) => this.revokeReplayed(replayed),
    );
    const user = await this.signedInUser(code);
    const grant = await this.startLogin(code);
    return this.tokenResponse(code, user, grant);
  }

  /** The access token, the ID token (scope `openid`) and the refresh token (`offline_access`). */
  private async tokenResponse(
    code: OidcCodeEntity,
    user: UserEntity,
    grant: RefreshGrant,
  ): Promise<OAuthTokenResponse> {
    const sid = grant.family.id;
    const scopes = scopeList(code.scope);
    const signIn = signInOf(code);
    const issued = await this.access.issue({
      sub: user.id,
      roles: user.roles,
      scope: code.scope,
      clientId: code.clientId,
      sid,
      signIn,
    });
    const idToken = scopes.includes('openid')
      ? await this.idTokens.idToken({
          user,
          clientId: code.clientId,
          scopes,
          sid,
          signIn,
          nonce: code.nonce,
        })
      : undefined;
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      ...(idToken !== undefined ? { id_token: idToken } : {}),
      scope: code.scope,
      ...(scopes.includes('offline_access') ? { refresh_token: grant.refreshToken } : {}),
    };
  }

  /** The code's user, while enabled and signed in with the session the code was issued in. */
  private async signedInUser(code: OidcCodeEntity): Promise<UserEntity> {
    const user = await this.users.findById(code.userId);
    if (user === null || user.disabled) return this.refuse(code, 'user disabled or deleted');
    if (!(await this.sessions.isLive(code.sessionId, code.userId))) {
      return this.refuse(code, 'the browser session of the code has ended');
    }
    return user;
  }

  /** A code refused after `find` is used up all the same. */
  private async refuse(code: OidcCodeEntity, reason: string): Promise<never> {
    await this.codes.burn(code);
    throw invalidGrant(reason);
  }

  /**
   * Spends the code and starts the app's login (its refresh family, its place among the session's
   * app logins and the audit row of the redemption) in one transaction. A code spent meanwhile is
   * a replay: nothing of this login is written, and the login of the redemption that won is
   * revoked.
   */
  private async startLogin(code: OidcCodeEntity): Promise<RefreshGrant> {
    const login = this.refreshTokens.newLogin(code.userId, {
      clientId: code.clientId,
      scope: code.scope,
      signIn: signInOf(code),
    });
    const sid = login.family.id;
    const written = await this.refreshTokens.save(login, {
      before: [this.codes.spend(code, sid)],
      after: [
        this.logins.insert({
          familyId: sid,
          sessionId: code.sessionId,
          clientId: code.clientId,
          userId: code.userId,
        }),
        ...this.redeemedRecord(code, sid),
      ],
    });
    if (!written) return this.codes.replayed(code, (replayed) => this.revokeReplayed(replayed));
    return login;
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

  /** The audit row of a redemption, for its transaction. */
  private redeemedRecord(code: OidcCodeEntity, sid: string): AtomicStatement[] {
    return [
      this.audit.statement({
        type: AuditEventType.OidcCodeRedeemed,
        outcome: 'success',
        actor: { type: 'client', id: code.clientId },
        subjectId: sid,
        details: { userId: code.userId, scope: code.scope },
      }),
    ];
  }
}
