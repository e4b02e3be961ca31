import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Clock } from '@keycard/common';
import { toCurrentSessionView } from '../auth/session-views';
import { authConfig, AuthSettings } from '../config/auth.config';
import { takeReturnPath } from '../sessions/return-path';
import {
  clearCookie,
  clearLoginCsrfCookie,
  readCookie,
  SESSION_COOKIE,
  setCookie,
  setSessionCookie,
} from '../sessions/session-cookies';
import { SessionsService } from '../sessions/sessions.service';
import { toPublicUser } from '../users/public-user';
import type { UserEntity } from '../users/user.entity';
import { isFormPost } from '../web/http-request';
import { redirectTo } from '../web/page-response';
import { CompletedSignIn, MfaChallenge, MfaLoginService } from './mfa-login.service';
import { passwordSignIn } from './sign-in-context';

/** Holds the `mfaToken` between the password form and the second step (never in a URL or page). */
export const MFA_COOKIE = 'keycard.mfa';

/**
 * The browser side of the second step, shared by the password form (`POST /session/login`), the
 * code form and passkeys: asking for the factor, and starting the session once it is given.
 */
@Injectable()
export class MfaSessionSteps {
  constructor(
    private readonly sessions: SessionsService,
    private readonly mfaLogin: MfaLoginService,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
  ) {}

  /**
   * After a right password at `POST /session/login`: true when `user` has a second factor and
   * the second step was asked for (the caller then stops: no session yet).
   */
  askIfNeeded(user: UserEntity, request: FastifyRequest, response: FastifyReply): boolean {
    const challenge = this.mfaLogin.challenge(user, passwordSignIn(this.clock.now()));
    if (!challenge) return false;
    this.askSecondFactor(challenge, request, response);
    return true;
  }

  /** The session of a completed sign-in: cookie set, second-step cookie dropped, then onwards. */
  async startSession(
    { user, signIn }: CompletedSignIn,
    request: FastifyRequest,
    response: FastifyReply,
  ): Promise<void> {
    const { token, session } = await this.sessions.start(
      user,
      { userAgent: request.headers['user-agent'], ip: request.ip },
      readCookie(request, SESSION_COOKIE),
      signIn,
    );
    setSessionCookie(response, token, this.config);
    clearCookie(response, MFA_COOKIE, { path: '/', secure: this.config.cookieSecure });
    if (isFormPost(request)) {
      clearLoginCsrfCookie(response, this.config);
      redirectTo(response, takeReturnPath(request, response, this.config) ?? '/account');
      return;
    }
    // `location`: where a page's script goes next (the page that sent the browser to sign in).
    const location = takeReturnPath(request, response, this.config) ?? '/account';
    void response
      .status(200)
      .header('Cache-Control', 'no-store')
      .send({ ...toCurrentSessionView(session, toPublicUser(user)), location });
  }

  /**
   * For `POST /session/login`: a JSON caller gets the 401 `mfa_required` answer; a form is sent
   * to the second-step page with the `mfaToken` in a cookie that lives as long as the token.
   */
  askSecondFactor(challenge: MfaChallenge, request: FastifyRequest, response: FastifyReply): void {
    if (!isFormPost(request)) throw MfaLoginService.required(challenge);
    setCookie(response, MFA_COOKIE, challenge.mfaToken, {
      path: '/',
      secure: this.config.cookieSecure,
      maxAge: this.config.mfa.tokenTtl * 1000,
    });
    redirectTo(response, '/login/mfa');
  }
}
