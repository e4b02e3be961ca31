import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@keycard/auth';
import { ACCOUNT_SCRIPT } from './assets/account-script';
import { ADMIN_SCRIPT } from './assets/admin-script';
import { FAVICON_SVG } from './assets/favicon';
import { STYLESHEET } from './assets/stylesheet';

const CACHE = 'public, max-age=3600';

/** The pages' stylesheet, scripts and icon, from constants compiled into the app (no file system). */
@Public()
@ApiExcludeController()
@Controller('assets')
export class AssetsController {
  @Get('keycard.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', CACHE)
  @Header('X-Content-Type-Options', 'nosniff')
  stylesheet(): string {
    return STYLESHEET;
  }

  @Get('account.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', CACHE)
  @Header('X-Content-Type-Options', 'nosniff')
  script(): string {
    return ACCOUNT_SCRIPT;
  }

  @Get('admin.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', CACHE)
  @Header('X-Content-Type-Options', 'nosniff')
  adminScript(): string {
    return ADMIN_SCRIPT;
  }

  @Get('favicon.svg')
  @Header('Content-Type', 'image/svg+xml')
  @Header('Cache-Control', CACHE)
  @Header('X-Content-Type-Options', 'nosniff')
  favicon(): string {
    return FAVICON_SVG;
  }
}
