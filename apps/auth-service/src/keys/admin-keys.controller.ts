import { Roles } from '@keycard/auth';
import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { RotateKeysQuery } from './keys.dto';
import { KeysService } from './keys.service';

@Roles('admin')
@Controller('admin/keys')
export class AdminKeysController {
  constructor(private readonly keys: KeysService) {}

  @Get()
  list() {
    return this.keys.list();
  }

  @Post('rotate')
  rotate(@Query() query: RotateKeysQuery) {
    return this.keys.rotate({ force: query.force === 'true' });
  }

  @Post(':kid/revoke')
  @HttpCode(200)
  revoke(@Param('kid') kid: string) {
    return this.keys.revoke(kid);
  }
}
