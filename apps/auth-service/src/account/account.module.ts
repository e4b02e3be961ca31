import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailModule } from '../mail/mail.module';
import { SessionsModule } from '../sessions/sessions.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { RefreshFamilyEntity } from '../tokens/refresh-family.entity';
import { UserEntity } from '../users/user.entity';
import { UsersModule } from '../users/users.module';
import { AccountBackground } from './account-background';
import { AccountMailThrottle } from './account-mail-throttle';
import { AccountMailer } from './account-mailer';
import { AccountSignOut } from './account-sign-out';
import { AccountTokenEntity } from './account-token.entity';
import { AccountTokensService } from './account-tokens.service';
import { AccountUsers } from './account-users';
import { AccountController } from './account.controller';
import { CredentialChangeService } from './credential-change.service';
import { EmailVerificationService } from './email-verification.service';
import { PasswordResetService } from './password-reset.service';

/**
 * Accounts people can keep: address verification, password reset, password and address change,
 * over the JSON API (`/auth/…`) — the pages are `AccountPagesModule`. Mail goes through the
 * outbox (`MailModule`). Needs `Clock`, `authConfig` and `REDIS_CLIENT` (global).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([AccountTokenEntity, UserEntity, RefreshFamilyEntity]),
    MailModule,
    UsersModule,
    SessionsModule,
    ThrottleModule,
  ],
  controllers: [AccountController],
  providers: [
    AccountBackground,
    AccountMailThrottle,
    AccountMailer,
    AccountSignOut,
    AccountTokensService,
    AccountUsers,
    CredentialChangeService,
    EmailVerificationService,
    PasswordResetService,
  ],
  exports: [
    EmailVerificationService,
    PasswordResetService,
    CredentialChangeService,
    AccountBackground,
  ],
})
export class AccountModule {}
