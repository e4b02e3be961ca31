import { Body, Controller, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { isEmail } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { ErrorCode, KeycardError, mapError } from '@keycard/common';
import { errorPage } from '../web/error.page';
import { PageExceptionFilter } from '../web/page-exception.filter';
import { redirectTo, sendPage } from '../web/page-response';
import { SessionPageGuard } from '../sessions/session-page.guard';
import { CurrentSession } from '../sessions/session-context';
import type { ActiveSession } from '../sessions/sessions.service';
import { EMAIL_MAX_LENGTH } from '../users/users.dto';
import { AccountFormDto } from './account-forms.dto';
import { AccountCaller, CredentialChangeService } from './credential-change.service';

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.InvalidCredentials]: 'The current password is not correct. Nothing was changed.',
  [ErrorCode.WeakPassword]:
    'Choose a new password of 8 to 128 characters that is not a commonly used one. Nothing was changed.',
  [ErrorCode.RateLimited]: 'Too many attempts. Please try again later. Nothing was changed.',
  [ErrorCode.ValidationFailed]: 'Enter a valid email address. Nothing was changed.',
};

/**
 * The password and address forms of `/account` (session cookie and CSRF token checked by the
 * guard). Success goes back to `/account` with a notice; a refusal is a page saying why.
 */
@Public()
@UseGuards(SessionPageGuard)
@UseFilters(PageExceptionFilter)
@ApiExcludeController()
@Controller('account')
export class AccountCredentialsPageController {
  constructor(private readonly changes: CredentialChangeService) {}

  @Post('password')
  async changePassword(
    @CurrentSession() active: ActiveSession,
    @Body() form: AccountFormDto,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.answer(response, '/account?notice=password_changed', () =>
      this.changes.changePassword(
        callerOf(active, request),
        form.currentPassword ?? '',
        form.newPassword ?? '',
      ),
    );
  }

  @Post('email')
  async changeEmail(
    @CurrentSession() active: ActiveSession,
    @Body() form: AccountFormDto,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.answer(response, '/account?notice=email_change_sent', async () => {
      const newEmail = form.newEmail ?? '';
      if (newEmail.length > EMAIL_MAX_LENGTH || !isEmail(newEmail)) {
        throw new KeycardError(ErrorCode.ValidationFailed, { reason: 'account form: bad address' });
      }
      await this.changes.requestEmailChange(
        callerOf(active, request),
        newEmail,
        form.password ?? '',
      );
    });
  }

  private async answer(
    response: FastifyReply,
    done: string,
    change: () => Promise<void>,
  ): Promise<void> {
    try {
      await change();
    } catch (error) {
      const message = error instanceof KeycardError ? MESSAGES[error.code] : undefined;
      if (!message) throw error;
      const { status, headers } = mapError(error);
      response.headers(headers);
      sendPage(response, errorPage({ status, title: 'Not changed', message }), status);
      return;
    }
    redirectTo(response, done);
  }
}

function callerOf(active: ActiveSession, request: FastifyRequest): AccountCaller {
  return { userId: active.user.id, loginId: active.session.id, ip: request.ip };
}
