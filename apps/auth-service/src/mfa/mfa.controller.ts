import { Body, Controller, Delete, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { personOf } from './mfa-person';
import { MfaCodeDto, RemoveTotpDto } from './mfa.dto';
import {
  ApiConfirmTotp,
  ApiMfaStatus,
  ApiRemoveTotp,
  ApiRenewRecoveryCodes,
  ApiStartTotp,
} from './mfa.responses';
import { MfaStatus, MfaService } from './mfa.service';
import { StepUpIfEnrolled } from './step-up-if-enrolled.guard';
import type { TotpEnrolment } from './totp-factors.service';

/**
 * The caller's own second factors (contract section 7), by bearer token or session (the global
 * guard checks a session's CSRF token on writes). Changing factors of a user who already has one
 * needs a sign-in made with one (`StepUpIfEnrolled`).
 */
@ApiTags('Second factors')
@Controller('auth/mfa')
export class MfaController {
  constructor(
    private readonly mfa: MfaService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @ApiMfaStatus()
  async status(@CurrentPrincipal() principal: Principal): Promise<MfaStatus> {
    return this.mfa.status((await this.person(principal)).id);
  }

  @Post('totp')
  @StepUpIfEnrolled()
  @ApiStartTotp()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async startTotp(@CurrentPrincipal() principal: Principal): Promise<TotpEnrolment> {
    return this.mfa.startTotp(await this.person(principal));
  }

  @Post('totp/confirm')
  @ApiConfirmTotp()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async confirmTotp(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: MfaCodeDto,
  ): Promise<{ recoveryCodes: string[] }> {
    return { recoveryCodes: await this.mfa.confirmTotp(await this.person(principal), dto.code) };
  }

  @Delete('totp')
  @StepUpIfEnrolled()
  @ApiRemoveTotp()
  @HttpCode(204)
  async removeTotp(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: RemoveTotpDto,
  ): Promise<void> {
    if (dto.code === undefined && dto.password === undefined) {
      throw new KeycardError(ErrorCode.ValidationFailed, {
        message: 'Give a code of the authenticator app or the password',
      });
    }
    await this.mfa.removeTotp(await this.person(principal), dto);
  }

  @Post('recovery-codes')
  @StepUpIfEnrolled()
  @ApiRenewRecoveryCodes()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async renewRecoveryCodes(
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ recoveryCodes: string[] }> {
    return { recoveryCodes: await this.mfa.renewRecoveryCodes(await this.person(principal)) };
  }

  private person(principal: Principal): Promise<UserEntity> {
    return personOf(this.users, principal);
  }
}
