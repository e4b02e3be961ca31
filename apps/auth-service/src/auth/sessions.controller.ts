import { Controller, Delete, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import { sessionSignIn } from '../auth-context/sign-in-context';
import { AccessTokenService } from '../tokens/access-token.service';
import { toPublicUser } from '../users/public-user';
import { ActiveSession, SessionsService } from '../sessions/sessions.service';
import { sessionOfRequest } from '../sessions/session-context';
import {
  ApiCurrentSession,
  ApiListSessions,
  ApiRevokeSession,
  ApiSessionToken,
} from './sessions.responses';
import {
  CurrentSessionView,
  SessionAccessToken,
  SessionView,
  toCurrentSessionView,
  toSessionView,
} from '../sessions/session-views';

/** Sessions are a person's: API keys and service clients may not list or end them. */
function userIdOf(principal: Principal): string {
  if (principal.scopeRestricted) {
    throw new KeycardError(ErrorCode.Forbidden, { reason: 'sessions need a user principal' });
  }
  return principal.sub;
}

function browserSession(request: object): ActiveSession {
  const active = sessionOfRequest(request);
  if (!active) {
    throw new KeycardError(ErrorCode.Forbidden, {
      message: 'This needs the browser session cookie',
      reason: 'not authenticated by a session',
    });
  }
  return active;
}

/**
 * The JSON side of sessions, behind the global guard (the cookie, or a bearer token for the
 * list and revocation). With the cookie alone, state-changing calls need `X-CSRF-Token`.
 */
@ApiTags('Browser sessions')
@Controller()
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokenService,
  ) {}

  /** The current browser session, with the CSRF token an SPA needs after a reload. */
  @Get('session')
  @ApiCurrentSession()
  @Header('Cache-Control', 'no-store')
  current(@Req() request: object): CurrentSessionView {
    const { session, user } = browserSession(request);
    return toCurrentSessionView(session, toPublicUser(user));
  }

  /** An access token for the signed-in user whose `sid` is this session's public id (BFF/SPA). */
  @Post('session/token')
  @ApiSessionToken()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async token(@Req() request: object): Promise<SessionAccessToken> {
    const { session, user } = browserSession(request);
    const issued = await this.accessTokens.issue({
      sub: user.id,
      roles: [...user.roles],
      scope: '',
      sid: session.id,
      signIn: sessionSignIn(session),
    });
    return { accessToken: issued.token, tokenType: 'Bearer', expiresIn: issued.expiresIn };
  }

  @Get('sessions')
  @ApiListSessions()
  async list(@CurrentPrincipal() principal: Principal): Promise<SessionView[]> {
    const sessions = await this.sessions.list(userIdOf(principal));
    return sessions.map((session) => toSessionView(session, principal.sessionId));
  }

  /** 204; the session stops working at once. 404 for an unknown id or someone else's session. */
  @Delete('sessions/:id')
  @ApiRevokeSession()
  @HttpCode(204)
  revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    return this.sessions.revoke(userIdOf(principal), id);
  }
}
