import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  Query,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import { CurrentSession } from '../sessions/session-context';
import { SessionPageGuard } from '../sessions/session-page.guard';
import type { ActiveSession } from '../sessions/sessions.service';
import { SafeHtml } from '../web/html';
import { PageExceptionFilter } from '../web/page-exception.filter';
import { redirectTo, sendPage } from '../web/page-response';
import { recoveryCodesPage, securityPage } from './account-security.view';
import { SecurityFormDto } from './mfa.dto';
import { mfaMethodsOf } from './mfa-methods';
import { MfaService } from './mfa.service';
import { PasskeysService, toPasskeyView } from './passkeys.service';
import { hasMultiFactor, sessionSignIn } from '../auth-context/sign-in-context';
import { TotpFactorsService } from './totp-factors.service';

/** The enrolment QR code; `qrcode` is loaded by the first enrolment, not at start-up. */
async function qrCodeSvg(text: string): Promise<string> {
  const { toString } = await import('qrcode');
  return toString(text, { type: 'svg', margin: 1 });
}

const NOTICES: Record<string, string> = {
  totp_added: 'Your authenticator app is set up.',
  totp_removed: 'Your authenticator app was removed.',
  passkey_removed: 'The passkey was removed.',
};

const ERRORS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.InvalidCode]: 'That code is not right. Enter the current code of your app.',
  [ErrorCode.InvalidCredentials]: 'The password is not correct. Nothing was changed.',
  [ErrorCode.RateLimited]: 'Too many wrong codes. Please try again later.',
  [ErrorCode.InsufficientUserAuthentication]:
    'Sign out and sign in again with your second factor to change it.',
};

/**
 * `/account/security`: the signed-in user's second factors, on pages (session cookie and CSRF
 * token checked by the guard). Changing factors of a user who has one needs a session signed in
 * with one, like the API (`StepUpIfEnrolled`).
 */
@Public()
@UseGuards(SessionPageGuard)
@UseFilters(PageExceptionFilter)
@ApiExcludeController()
@Controller('account/security')
export class AccountSecurityController {
  constructor(
    private readonly mfa: MfaService,
    private readonly totp: TotpFactorsService,
    private readonly passkeys: PasskeysService,
  ) {}

  @Get()
  async show(
    @CurrentSession() active: ActiveSession,
    @Res() response: FastifyReply,
    @Query('notice') notice?: string,
    @Query('error') error?: string,
  ): Promise<void> {
    const { user, session } = active;
    const [status, passkeys, pending] = await Promise.all([
      this.mfa.status(user.id),
      this.passkeys.list(user.id),
      this.totp.pending(user),
    ]);
    sendPage(
      response,
      securityPage({
        email: user.email,
        csrfToken: session.csrfToken,
        status,
        passkeys: passkeys.map(toPasskeyView),
        pending: pending
          ? {
              ...pending,
              qrSvg: new SafeHtml(await qrCodeSvg(pending.otpauthUrl)),
            }
          : undefined,
        notice: notice ? NOTICES[notice] : undefined,
        error: error ? ERRORS[error as ErrorCode] : undefined,
      }),
    );
  }

  @Post('totp')
  async startTotp(
    @CurrentSession() active: ActiveSession,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.change(active, response, async () => {
      await this.mfa.startTotp(active.user);
      return '/account/security#totp-enrol';
    });
  }

  @Post('totp/confirm')
  async confirmTotp(
    @CurrentSession() active: ActiveSession,
    @Body() form: SecurityFormDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.showCodes(active, response, () =>
      this.mfa.confirmTotp(active.user, form.code ?? ''),
    );
  }

  @Post('totp/remove')
  async removeTotp(
    @CurrentSession() active: ActiveSession,
    @Body() form: SecurityFormDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.change(active, response, async () => {
      await this.mfa.removeTotp(active.user, { password: form.password ?? '' });
      return '/account/security?notice=totp_removed';
    });
  }

  @Post('recovery-codes')
  async renewCodes(
    @CurrentSession() active: ActiveSession,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.showCodes(active, response, () => this.mfa.renewRecoveryCodes(active.user));
  }

  @Post('passkeys/:id/remove')
  async removePasskey(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.change(active, response, async () => {
      await this.passkeys.remove(active.user.id, id);
      await this.mfa.passkeyRemoved(active.user);
      return '/account/security?notice=passkey_removed';
    });
  }

  /** Runs a change under step-up, then redirects to the path it answers. */
  private async change(
    active: ActiveSession,
    response: FastifyReply,
    work: () => Promise<string>,
  ): Promise<void> {
    const next = await this.attempt(active, response, work);
    if (next !== undefined) redirectTo(response, next);
  }

  /** Runs a change that issues recovery codes, then shows them (once). */
  private async showCodes(
    active: ActiveSession,
    response: FastifyReply,
    issue: () => Promise<string[]>,
  ): Promise<void> {
    const codes = await this.attempt(active, response, issue);
    if (codes !== undefined) sendPage(response, recoveryCodesPage(codes));
  }

  /** Refusals the user can fix come back to the page as a message (and undefined here). */
  private async attempt<T>(
    active: ActiveSession,
    response: FastifyReply,
    work: () => Promise<T>,
  ): Promise<T | undefined> {
    try {
      assertStepUp(active);
      return await work();
    } catch (error) {
      if (error instanceof KeycardError && ERRORS[error.code]) {
        redirectTo(response, `/account/security?error=${error.code}`);
        return undefined;
      }
      throw error;
    }
  }
}

/** A user with a second factor changes factors only from a session signed in with one. */
function assertStepUp({ user, session }: ActiveSession): void {
  if (mfaMethodsOf(user).length > 0 && !hasMultiFactor(sessionSignIn(session).amr)) {
    throw new KeycardError(ErrorCode.InsufficientUserAuthentication, { reason: 'page step-up' });
  }
}
