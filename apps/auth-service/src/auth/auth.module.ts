import { Module } from '@nestjs/common';
import { AccountModule } from '../account/account.module';
import { MfaModule } from '../mfa/mfa.module';
import { SessionsModule } from '../sessions/sessions.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { PasswordLoginService } from './password-login.service';
import { RegistrationService } from './registration.service';

@Module({
  imports: [UsersModule, TokensModule, ThrottleModule, SessionsModule, AccountModule, MfaModule],
  controllers: [AuthController],
  providers: [PasswordLoginService, RegistrationService],
  exports: [PasswordLoginService, RegistrationService],
})
export class AuthModule {}
