import { Module } from '@nestjs/common';
import { SessionPageGuard } from '../sessions/session-page.guard';
import { SessionsModule } from '../sessions/sessions.module';
import { AccountCredentialsPageController } from './account-credentials-page.controller';
import { AccountPagesController } from './account-pages.controller';
import { AccountModule } from './account.module';

/**
 * The pages of the account flows: `/forgot-password`, `/reset-password`, `/verify-email` and the
 * password and address forms of `/account`, rendered with the pages' view kit.
 */
@Module({
  imports: [AccountModule, SessionsModule],
  controllers: [AccountPagesController, AccountCredentialsPageController],
  providers: [SessionPageGuard],
})
export class AccountPagesModule {}
