import { Body, Controller, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Public } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import { StepUpIfEnrolled } from '../mfa/step-up-if-enrolled.guard';
import {
  ChangeEmailDto,
  ChangePasswordDto,
  EmailDto,
  ResetPasswordDto,
  VerifyEmailDto,
} from './account.dto';
import { AccountCaller, CredentialChangeService } from './credential-change.service';
import {
  ApiChangeEmail,
  ApiChangePassword,
  ApiForgotPassword,
  ApiResendVerification,
  ApiResetPassword,
  ApiVerifyEmail,
} from './account.responses';
import { EmailVerificationService } from './email-verification.service';
import { PasswordResetService } from './password-reset.service';

/**
 * The JSON API of the account e-mail flows (contract section 6): verification, password reset,
 * password and address change. The change routes take a bearer token or the session cookie (the
 * global guard checks the session's CSRF token for those).
 */
@ApiTags('Account e-mail and password')
@Controller('auth')
export class AccountController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly reset: PasswordResetService,
    private readonly changes: CredentialChangeService,
  ) {}

  @Public()
  @Post('verify-email')
  @ApiVerifyEmail()
  @HttpCode(204)
  verifyEmail(@Body() dto: VerifyEmailDto): Promise<void> {
    return this.verification.confirm(dto.token);
  }

  @Public()
  @Post('verify-email/resend')
  @ApiResendVerification()
  @HttpCode(202)
  resendVerification(@Body() dto: EmailDto, @Ip() ip: string): Promise<void> {
    return this.verification.resend(dto.email, ip);
  }

  @Public()
  @Post('password/forgot')
  @ApiForgotPassword()
  @HttpCode(202)
  forgotPassword(@Body() dto: EmailDto, @Ip() ip: string): Promise<void> {
    return this.reset.forgot(dto.email, ip);
  }

  @Public()
  @Post('password/reset')
  @ApiResetPassword()
  @HttpCode(204)
  resetPassword(@Body() dto: ResetPasswordDto): Promise<void> {
    return this.reset.reset(dto.token, dto.password);
  }

  @Post('password/change')
  @StepUpIfEnrolled()
  @ApiChangePassword()
  @HttpCode(204)
  changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: ChangePasswordDto,
    @Ip() ip: string,
  ): Promise<void> {
    return this.changes.changePassword(
      callerOf(principal, ip),
      dto.currentPassword,
      dto.newPassword,
    );
  }

  @Post('email/change')
  @StepUpIfEnrolled()
  @ApiChangeEmail()
  @HttpCode(202)
  changeEmail(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: ChangeEmailDto,
    @Ip() ip: string,
  ): Promise<void> {
    return this.changes.requestEmailChange(callerOf(principal, ip), dto.newEmail, dto.password);
  }
}

/** Only people change their own credentials: not a service client's token, not an API key. */
function callerOf(principal: Principal, ip: string): AccountCaller {
  if (principal.scopeRestricted || principal.authType === 'api_key') {
    throw new KeycardError(ErrorCode.Forbidden, { reason: 'not a user principal' });
  }
  return { userId: principal.sub, loginId: principal.sessionId, ip };
}
