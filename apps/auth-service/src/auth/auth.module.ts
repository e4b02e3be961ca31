import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { PasswordLoginService } from './password-login.service';

@Module({
  imports: [UsersModule, TokensModule, ThrottleModule, SessionsModule],
  controllers: [AuthController],
  providers: [PasswordLoginService],
  exports: [PasswordLoginService],
})
export class AuthModule {}
