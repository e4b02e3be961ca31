import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { CurrentPrincipal, Principal } from '@keycard/auth';
import { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { personOf } from './mfa-person';
import { MfaService } from './mfa.service';
import {
  ApiListPasskeys,
  ApiPasskeyOptions,
  ApiRegisterPasskey,
  ApiRemovePasskey,
} from './mfa.responses';
import { RegisterPasskeyDto } from './passkeys.dto';
import { CeremonyStart, PasskeysService, PasskeyView, toPasskeyView } from './passkeys.service';
import { StepUpIfEnrolled } from './step-up-if-enrolled.guard';

/** The caller's passkeys: list, add (options, then the browser's answer), remove. */
@ApiTags('Second factors')
@Controller('auth/mfa/passkeys')
export class PasskeysController {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly mfa: MfaService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @ApiListPasskeys()
  async list(@CurrentPrincipal() principal: Principal): Promise<PasskeyView[]> {
    const user = await this.person(principal);
    return (await this.passkeys.list(user.id)).map(toPasskeyView);
  }

  @Post('options')
  @StepUpIfEnrolled()
  @ApiPasskeyOptions()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async options(
    @CurrentPrincipal() principal: Principal,
  ): Promise<CeremonyStart<PublicKeyCredentialCreationOptionsJSON>> {
    return this.passkeys.registrationOptions(await this.person(principal));
  }

  @Post()
  @StepUpIfEnrolled()
  @ApiRegisterPasskey()
  @Header('Cache-Control', 'no-store')
  async register(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: RegisterPasskeyDto,
  ): Promise<{ passkey: PasskeyView; recoveryCodes?: string[] }> {
    const user = await this.person(principal);
    const factor = await this.passkeys.register(
      user.id,
      dto.name.trim(),
      dto.ceremony,
      dto.response,
    );
    const recoveryCodes = await this.mfa.passkeyAdded(user);
    return { passkey: toPasskeyView(factor), ...(recoveryCodes ? { recoveryCodes } : {}) };
  }

  @Delete(':id')
  @StepUpIfEnrolled()
  @ApiRemovePasskey()
  @HttpCode(204)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    const user = await this.person(principal);
    await this.passkeys.remove(user.id, id);
    await this.mfa.passkeyRemoved(user);
  }

  private person(principal: Principal): Promise<UserEntity> {
    return personOf(this.users, principal);
  }
}
