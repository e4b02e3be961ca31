import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { SessionPageGuard } from '../sessions/session-page.guard';
import { SessionsModule } from '../sessions/sessions.module';
import { AccountController } from './account.controller';
import { HomeController } from './home.controller';

/**
 * The signed-in person's pages: `/` and `/account` (+ its API-key forms under `/account/…`),
 * rendered with the view kit in `web/`. The sign-in page is `auth/`'s, the account flows'
 * pages are `account/`'s.
 */
@Module({
  imports: [SessionsModule, ApiKeysModule],
  controllers: [HomeController, AccountController],
  providers: [SessionPageGuard],
})
export class PagesModule {}
