import { Inject, Injectable } from '@nestjs/common';
import type { CredentialAuthenticator, Principal } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { sessionSignIn } from '../auth-context/sign-in-context';
import { assertSessionCsrf } from './csrf';
import { isHttpRequest } from '../web/http-request';
import { attachSession } from './session-context';
import { readCookie, SESSION_COOKIE } from './session-cookies';
import { ActiveSession, SessionsService } from './sessions.service';

export function sessionPrincipal({ session, user }: ActiveSession): Principal {
  const signIn = sessionSignIn(session);
  return {
    sub: user.id,
    authType: 'session',
    roles: [...user.roles],
    scopes: [],
    scopeRestricted: false,
    sessionId: session.id,
    expiresAt: Math.min(session.idleExpiresAt, session.expiresAt),
    amr: [...signIn.amr],
    authTime: signIn.authTime,
  };
}

/**
 * The session cookie as a credential of the global guard (a fallback authenticator: tried when
 * no bearer token and no API key is sent). A state-changing request must also pass the CSRF check,
 * so a cookie the browser attaches on its own never suffices to change anything.
 */
@Injectable()
export class SessionAuthenticator implements CredentialAuthenticator {
  private readonly issuerOrigin: string;

  constructor(
    @Inject(SessionsService) private readonly sessions: Pick<SessionsService, 'resolve'>,
    @Inject(authConfig.KEY) config: Pick<AuthSettings, 'issuer'>,
  ) {
    this.issuerOrigin = new URL(config.issuer).origin;
  }

  async authenticate(request: unknown): Promise<Principal | null> {
    if (!isHttpRequest(request)) return null;
    const active = await this.resolve(readCookie(request, SESSION_COOKIE));
    if (!active) return null;
    assertSessionCsrf(request, active.session.csrfToken, this.issuerOrigin);
    attachSession(request, active);
    return sessionPrincipal(active);
  }

  /** A store outage (Redis or database down) is a 503, not a 500 and not "signed out". */
  private async resolve(token: string | undefined): Promise<ActiveSession | null> {
    try {
      return await this.sessions.resolve(token);
    } catch (error) {
      throw new KeycardError(ErrorCode.Unavailable, {
        reason: `session store unavailable (${error instanceof Error ? error.name : 'unknown'})`,
      });
    }
  }
}
