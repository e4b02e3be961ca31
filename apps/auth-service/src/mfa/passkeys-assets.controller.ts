import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@keycard/auth';
import { PASSKEYS_SCRIPT } from './passkeys-script';

/** `/assets/passkeys.js`, beside the view kit's assets, compiled into the app. */
@Public()
@ApiExcludeController()
@Controller('assets')
export class PasskeysAssetsController {
  @Get('passkeys.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  @Header('X-Content-Type-Options', 'nosniff')
  script(): string {
    return PASSKEYS_SCRIPT;
  }
}
