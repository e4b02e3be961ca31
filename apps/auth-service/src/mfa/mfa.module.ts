import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authConfig, AuthSettings } from '../config/auth.config';
import { MailModule } from '../mail/mail.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { TokensModule } from '../tokens/tokens.module';
import { UserEntity } from '../users/user.entity';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AccountSecurityController } from './account-security.controller';
import { AdminMfaController } from './admin-mfa.controller';
import { createFactorCipher, FactorCipher } from './factor-cipher';
import { MfaFactorEntity } from './mfa-factor.entity';
import { MfaLoginController } from './mfa-login.controller';
import { MfaLoginService } from './mfa-login.service';
import { MfaMailer } from './mfa-mailer';
import { MfaSessionController } from './mfa-session.controller';
import { MfaSessionSteps } from './mfa-session-steps';
import { MfaThrottle } from './mfa-throttle';
import { MfaController } from './mfa.controller';
import { MfaService } from './mfa.service';
import { PasskeyCeremonies } from './passkey-ceremony';
import { PasskeyLoginController } from './passkey-login.controller';
import { PasskeyLoginService } from './passkey-login.service';
import { PasskeysController } from './passkeys.controller';
import { PasskeysAssetsController } from './passkeys-assets.controller';
import { PasskeysService } from './passkeys.service';
import { RecoveryCodeEntity } from './recovery-code.entity';
import { RecoveryCodesService } from './recovery-codes.service';
import { StepUpIfEnrolledGuard } from './step-up-if-enrolled.guard';
import { TotpFactorsService } from './totp-factors.service';
import { WebModule } from '../web/web.module';

/**
 * Second factors (contract section 7): TOTP, recovery codes, passkeys, the second step of
 * sign-in (`MfaLoginService`, used by every sign-in path) and the step-up guard of Keycard's own
 * sensitive actions (`StepUpIfEnrolledGuard`).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([MfaFactorEntity, RecoveryCodeEntity, UserEntity]),
    UsersModule,
    ThrottleModule,
    MailModule,
    TokensModule,
    SessionsModule,
    WebModule,
  ],
  controllers: [
    MfaController,
    MfaLoginController,
    MfaSessionController,
    AdminMfaController,
    PasskeysController,
    PasskeyLoginController,
    PasskeysAssetsController,
    AccountSecurityController,
  ],
  providers: [
    {
      provide: FactorCipher,
      inject: [authConfig.KEY],
      useFactory: (config: AuthSettings) => createFactorCipher(config),
    },
    MfaThrottle,
    MfaMailer,
    TotpFactorsService,
    RecoveryCodesService,
    MfaService,
    MfaLoginService,
    StepUpIfEnrolledGuard,
    MfaSessionSteps,
    PasskeyCeremonies,
    PasskeysService,
    PasskeyLoginService,
  ],
  exports: [MfaService, MfaLoginService, MfaSessionSteps, StepUpIfEnrolledGuard, UsersModule],
})
export class MfaModule {}
