import { Body, Controller, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { authConfig, AuthSettings } from '../config/auth.config';
import { MfaSessionSteps } from '../mfa/mfa-session-steps';
import { FormExceptionFilter } from '../web/form-exception.filter';
import { redirectTo } from '../web/page-response';
import { toPublicUser } from '../users/public-user';
import { assertLoginCsrf, assertSessionCsrf } from '../sessions/csrf';
import { isFormPost } from '../web/http-request';
import {
  clearLoginCsrfCookie,
  clearSessionCookie,
  forgetFormEmail,
  readCookie,
  rememberFormEmail,
  SESSION_COOKIE,
  setSessionCookie,
} from '../sessions/session-cookies';
import { signInFormPage, takeReturnPath } from '../sessions/return-path';
import { toLoginForm } from './login-form-errors';
import { PasswordLoginService } from './password-login.service';
import { SessionLoginDto } from './session.dto';
import { toCurrentSessionView } from '../sessions/session-views';
import { ApiSessionLogin, ApiSessionLogout } from './sessions.responses';
import { SessionsService } from '../sessions/sessions.service';

/**
 * Signing in and out with the session cookie, for the sign-in form (303 redirects) and for JSON
 * clients such as an SPA or BFF (200 / 204). Both are `@Public()`: the cookie is what they make
 * or end, and they do their own CSRF checks.
 */
@ApiTags('Browser sessions')
@Controller('session')
export class SessionLoginController {
  private readonly issuerOrigin: string;

  constructor(
    private readonly sessions: SessionsService,
    private readonly passwordLogin: PasswordLoginService,
    private readonly mfaSteps: MfaSessionSteps,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
  ) {
    this.issuerOrigin = new URL(config.issuer).origin;
  }

  /** Same throttling, 401 and 429 as `/auth/login`; always a new session (new id and cookie). */
  @Public()
  @Post('login')
  @ApiSessionLogin()
  @UseFilters(new FormExceptionFilter(toLoginForm))
  async login(
    @Body() dto: SessionLoginDto,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    assertLoginCsrf(request, this.issuerOrigin);
    const user = await this.passwordLogin
      .authenticate(dto.email, dto.password, request.ip, 'session')
      .catch((error: unknown) => {
        // The form goes back to its page (303) with the address still typed in it.
        const { path } = signInFormPage(request);
        if (isFormPost(request)) rememberFormEmail(response, path, dto.email, this.config);
        throw error;
      });
    // A user with a second factor: its step first (JSON 401 mfa_required, or the form's next page).
    if (this.mfaSteps.askIfNeeded(user, request, response)) return;
    const { token, session } = await this.sessions.start(
      user,
      { userAgent: request.headers['user-agent'], ip: request.ip },
      readCookie(request, SESSION_COOKIE),
    );
    setSessionCookie(response, token, this.config);
    if (isFormPost(request)) {
      clearLoginCsrfCookie(response, this.config);
      forgetFormEmail(response, signInFormPage(request).path, this.config);
      // Back to the page that sent the browser here, if one did (`return-path.ts`).
      redirectTo(response, takeReturnPath(request, response, this.config) ?? '/account');
      return;
    }
    void response
      .status(200)
      .header('Cache-Control', 'no-store')
      .send(toCurrentSessionView(session, toPublicUser(user)));
  }

  /** Ends the cookie's session (CSRF-checked when there is a live one) and clears the cookie. */
  @Public()
  @Post('logout')
  @ApiSessionLogout()
  @UseFilters(new FormExceptionFilter('page'))
  async logout(@Req() request: FastifyRequest, @Res() response: FastifyReply): Promise<void> {
    const active = await this.sessions.resolve(readCookie(request, SESSION_COOKIE));
    if (active) {
      assertSessionCsrf(request, active.session.csrfToken, this.issuerOrigin);
      await this.sessions.end(active.session);
    }
    clearSessionCookie(response, this.config);
    if (isFormPost(request)) redirectTo(response, '/login?signed_out=1');
    else void response.status(204).send();
  }
}
