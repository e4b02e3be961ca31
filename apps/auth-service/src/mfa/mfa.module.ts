import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authConfig, AuthSettings } from '../config/auth.config';
import { MailModule } from '../mail/mail.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { TokensModule } from '../tokens/tokens.module';
import { UserEntity } from '../users/user.entity';
import { UsersModule } from '../users/users.module';
import { createFactorCipher, FactorCipher } from './factor-cipher';
import { MfaFactorEntity } from './mfa-factor.entity';
import { MfaLoginController } from './mfa-login.controller';
import { MfaLoginService } from './mfa-login.service';
import { MfaMailer } from './mfa-mailer';
import { MfaThrottle } from './mfa-throttle';
import { MfaController } from './mfa.controller';
import { MfaService } from './mfa.service';
import { RecoveryCodeEntity } from './recovery-code.entity';
import { RecoveryCodesService } from './recovery-codes.service';
import { StepUpIfEnrolledGuard } from './step-up-if-enrolled.guard';
import { TotpFactorsService } from './totp-factors.service';

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
  ],
  controllers: [MfaController, MfaLoginController],
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
  ],
  exports: [MfaService, MfaLoginService, StepUpIfEnrolledGuard, UsersModule],
})
export class MfaModule {}
