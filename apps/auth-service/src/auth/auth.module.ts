import { Module } from '@nestjs/common';
import { AccountModule } from '../account/account.module';
import { MfaModule } from '../mfa/mfa.module';
import { SessionsModule } from '../sessions/sessions.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AdminSessionsController } from './admin-sessions.controller';
import { AuthController } from './auth.controller';
import { LoginAuditService } from './login-audit.service';
import { LoginPageController } from './login-page.controller';
import { PasswordLoginService } from './password-login.service';
import { RegistrationService } from './registration.service';
import { SessionLoginController } from './session-login.controller';
import { SessionsController } from './sessions.controller';

/**
 * Signing in with a password and registering: the JSON routes (`/auth/login`, `/auth/register`,
 * …), the session routes (`/session/login|logout|token`, `/session`, `/sessions`,
 * `/admin/users/:userId/sessions`) and the sign-in page (`GET /login`). The session store and its
 * rules are `SessionsModule`'s; pages are drawn with the view kit in `web/`.
 */
@Module({
  imports: [UsersModule, TokensModule, ThrottleModule, SessionsModule, AccountModule, MfaModule],
  controllers: [
    AuthController,
    SessionLoginController,
    SessionsController,
    AdminSessionsController,
    LoginPageController,
  ],
  // LoginAuditService: the audit rows of password sign-ins (it looks the account up through users/).
  providers: [PasswordLoginService, RegistrationService, LoginAuditService],
  exports: [PasswordLoginService, RegistrationService],
})
export class AuthModule {}
