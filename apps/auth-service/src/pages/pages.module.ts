import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AccountController } from './account.controller';
import { AssetsController } from './assets.controller';
import { HomeController } from './home.controller';
import { LoginPageController } from './login-page.controller';
import { SessionPageGuard } from './session-page.guard';

/**
 * The server-rendered pages: `/login`, `/account` (+ its forms under `/account/…`) and their
 * stylesheet and script under `/assets/`. HTML from escaping template functions, no framework.
 */
@Module({
  imports: [SessionsModule, ApiKeysModule],
  controllers: [HomeController, LoginPageController, AccountController, AssetsController],
  providers: [SessionPageGuard],
})
export class PagesModule {}
