import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { isEmail } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { ErrorCode, KeycardError, mapError } from '@keycard/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { PageExceptionFilter } from '../web/page-exception.filter';
import { redirectTo, sendPage } from '../web/page-response';
import { assertLoginCsrf } from '../sessions/csrf';
import { ensureLoginCsrfToken } from '../sessions/session-cookies';
import { EMAIL_MAX_LENGTH } from '../users/users.dto';
import { AccountFormDto } from './account-forms.dto';
import {
  AccountFormError,
  forgotPasswordPage,
  invalidLinkPage,
  parseAccountFormError,
  resendVerificationPage,
  resetDonePage,
  resetPasswordPage,
  verifyDonePage,
  verifyEmailPage,
} from './account-pages.view';
import { EmailVerificationService } from './email-verification.service';
import { PasswordResetService } from './password-reset.service';

/** The inline code of a failed form post: fixed codes, the cause only in the logs (5xx). */
export function accountFormError(error: unknown): AccountFormError {
  if (mapError(error).status >= 500) throw error;
  if (error instanceof KeycardError) {
    if (error.code === ErrorCode.RateLimited) return 'rate_limited';
    if (error.code === ErrorCode.CsrfFailed) return 'csrf';
    if (error.code === ErrorCode.WeakPassword) return 'weak_password';
  }
  return 'invalid_request';
}

function validEmail(value: string | undefined): string {
  if (value === undefined || value.length > EMAIL_MAX_LENGTH || !isEmail(value)) {
    throw new KeycardError(ErrorCode.ValidationFailed, { reason: 'account form: bad address' });
  }
  return value;
}

function isInvalidLink(error: unknown): boolean {
  return error instanceof KeycardError && error.code === ErrorCode.InvalidToken;
}

/**
 * `/forgot-password`, `/reset-password` and `/verify-email`: plain forms (no JavaScript) with the
 * sign-in form's CSRF protection (double-submit cookie and Origin). Opening a mailed link only
 * shows a page; its button posts the action.
 */
@Public()
@UseFilters(PageExceptionFilter)
@ApiExcludeController()
@Controller()
export class AccountPagesController {
  private readonly issuerOrigin: string;

  constructor(
    private readonly reset: PasswordResetService,
    private readonly verification: EmailVerificationService,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
  ) {
    this.issuerOrigin = new URL(config.issuer).origin;
  }

  @Get('forgot-password')
  showForgot(
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
    @Query('sent') sent?: string,
    @Query('error') error?: string,
  ): void {
    const csrfToken = ensureLoginCsrfToken(request, response, this.config);
    const page = forgotPasswordPage({
      csrfToken,
      sent: sent === '1',
      error: parseAccountFormError(error),
    });
    sendPage(response, page);
  }

  @Post('forgot-password')
  async forgot(
    @Body() form: AccountFormDto,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    try {
      assertLoginCsrf(request, this.issuerOrigin);
      await this.reset.forgot(validEmail(form.email), request.ip);
      redirectTo(response, '/forgot-password?sent=1');
    } catch (error) {
      redirectTo(response, `/forgot-password?error=${accountFormError(error)}`);
    }
  }

  @Get('reset-password')
  async showReset(
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
    @Query('token') token?: string,
  ): Promise<void> {
    if (typeof token !== 'string' || !(await this.reset.linkIsLive(token))) {
      sendPage(response, invalidLinkPage('reset'), 400);
      return;
    }
    const csrfToken = ensureLoginCsrfToken(request, response, this.config);
    sendPage(response, resetPasswordPage({ csrfToken, token }));
  }

  @Post('reset-password')
  async doReset(
    @Body() form: AccountFormDto,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const token = form.token ?? '';
    try {
      assertLoginCsrf(request, this.issuerOrigin);
      await this.reset.reset(token, form.password ?? '');
      sendPage(response, resetDonePage());
    } catch (error) {
      if (isInvalidLink(error)) {
        sendPage(response, invalidLinkPage('reset'), 400);
        return;
      }
      const csrfToken = ensureLoginCsrfToken(request, response, this.config);
      const page = resetPasswordPage({ csrfToken, token, error: accountFormError(error) });
      sendPage(response, page, mapError(error).status);
    }
  }

  @Get('verify-email')
  async showVerify(
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
    @Query('token') token?: string,
    @Query('sent') sent?: string,
    @Query('error') error?: string,
  ): Promise<void> {
    const csrfToken = ensureLoginCsrfToken(request, response, this.config);
    if (typeof token !== 'string') {
      const page = resendVerificationPage({
        csrfToken,
        sent: sent === '1',
        error: parseAccountFormError(error),
      });
      sendPage(response, page);
      return;
    }
    if (!(await this.verification.linkIsLive(token))) {
      sendPage(response, invalidLinkPage('verify'), 400);
      return;
    }
    sendPage(response, verifyEmailPage({ csrfToken, token }));
  }

  @Post('verify-email')
  async verify(
    @Body() form: AccountFormDto,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    try {
      assertLoginCsrf(request, this.issuerOrigin);
      await this.verification.confirm(form.token ?? '');
      sendPage(response, verifyDonePage());
    } catch (error) {
      if (!isInvalidLink(error)) throw error;
      sendPage(response, invalidLinkPage('verify'), 400);
    }
  }

  @Post('verify-email/resend')
  async resend(
    @Body() form: AccountFormDto,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    try {
      assertLoginCsrf(request, this.issuerOrigin);
      await this.verification.resend(validEmail(form.email), request.ip);
      redirectTo(response, '/verify-email?sent=1');
    } catch (error) {
      redirectTo(response, `/verify-email?error=${accountFormError(error)}`);
    }
  }
}
