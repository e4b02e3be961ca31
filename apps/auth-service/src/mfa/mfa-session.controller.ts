import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { assertLoginCsrf } from '../sessions/csrf';
import { isReturnPath, signInFormPage } from '../sessions/return-path';
import { clearCookie, ensureLoginCsrfToken, readCookie } from '../sessions/session-cookies';
import { FormTargets } from '../web/form-targets';
import { isFormPost } from '../web/http-request';
import { PageExceptionFilter } from '../web/page-exception.filter';
import { redirectTo, sendPage } from '../web/page-response';
import { SessionMfaDto } from './mfa.dto';
import { ApiSessionLoginMfa } from './mfa.responses';
import { MfaLoginService } from './mfa-login.service';
import { MFA_COOKIE, MfaSessionSteps, secondStepPath } from './mfa-session-steps';
import { mfaStepPage, parseMfaStepError, passkeySignInPage } from './mfa-sign-in.page';

/**
 * The second step of the browser sign-in: the page (`GET /login/mfa`) and the code
 * (`POST /session/login/mfa`). The password form sends a user with a second factor here
 * (`MfaSessionSteps.askSecondFactor`); the session starts only once the code is right.
 */
@ApiTags('Browser sessions')
@Controller()
export class MfaSessionController {
  private readonly issuerOrigin: string;

  constructor(
    private readonly mfaLogin: MfaLoginService,
    private readonly steps: MfaSessionSteps,
    private readonly formTargets: FormTargets,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
  ) {
    this.issuerOrigin = new URL(config.issuer).origin;
  }

  @Public()
  @Get('login/mfa')
  @ApiExcludeEndpoint()
  @UseFilters(PageExceptionFilter)
  async show(
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
    @Query('error') error?: string,
    @Query('retry') retry?: string,
    @Query('next') next?: string,
  ): Promise<void> {
    const methods = this.mfaLogin.methodsOf(readCookie(request, MFA_COOKIE));
    if (!methods) {
      redirectTo(response, '/login');
      return;
    }
    const retryAfterSeconds =
      typeof retry === 'string' && /^\d{1,6}$/.test(retry) ? Number(retry) : undefined;
    // The session may go on to an app (a waiting authorization request): the form must allow it.
    const formOrigin = await this.formTargets.originFor(isReturnPath(next) ? next : undefined);
    sendPage(
      response,
      mfaStepPage({
        csrfToken: ensureLoginCsrfToken(request, response, this.config),
        methods,
        error: parseMfaStepError(error),
        retryAfterSeconds,
      }),
      200,
      formOrigin,
    );
  }

  @Public()
  @Get('login/passkey')
  @ApiExcludeEndpoint()
  @UseFilters(PageExceptionFilter)
  passkey(@Res() response: FastifyReply): void {
    sendPage(response, passkeySignInPage());
  }

  /** Form (the `mfaToken` from the cookie) or JSON `{mfaToken, code}`: the session starts here. */
  @Public()
  @Post('session/login/mfa')
  @ApiSessionLoginMfa()
  async complete(
    @Body() dto: SessionMfaDto,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const form = isFormPost(request);
    try {
      assertLoginCsrf(request, this.issuerOrigin);
      const mfaToken = dto.mfaToken ?? readCookie(request, MFA_COOKIE) ?? '';
      const completed = await this.mfaLogin.completeWithCode(mfaToken, dto.code);
      await this.steps.startSession(completed, request, response);
    } catch (error) {
      if (!form || !(error instanceof KeycardError)) throw error;
      this.backToSecondStep(error, request, response);
    }
  }

  private backToSecondStep(
    error: KeycardError,
    request: FastifyRequest,
    response: FastifyReply,
  ): void {
    if (error.code === ErrorCode.InvalidToken) {
      // The mfaToken expired or was used: back to the password.
      clearCookie(response, MFA_COOKIE, { path: '/', secure: this.config.cookieSecure });
      redirectTo(response, '/login?error=mfa_expired');
      return;
    }
    const next = this.steps.returnPathOf(request) ?? signInFormPage(request).location;
    redirectTo(response, secondStepPath(next, stepErrorQuery(error)));
  }
}

/** The second-step page's `error` (and `retry`) for a refusal. */
function stepErrorQuery(error: KeycardError): string {
  if (error.code === ErrorCode.RateLimited) {
    return `error=rate_limited&retry=${error.headers['Retry-After'] ?? ''}`;
  }
  return error.code === ErrorCode.CsrfFailed ? 'error=csrf' : 'error=invalid_code';
}
