import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SessionsModule } from '../sessions/sessions.module';
import { SignupController } from './signup.controller';

/** The sign-up page: `GET /signup` and its form post. */
@Module({
  imports: [AuthModule, SessionsModule],
  controllers: [SignupController],
})
export class SignupModule {}
