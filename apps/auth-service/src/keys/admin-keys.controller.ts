import { Roles } from '@keycard/auth';
import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { RotateKeysQuery } from './keys.dto';
import { ApiListKeys, ApiRevokeKey, ApiRotateKeys } from './keys.responses';
import { KeysService } from './keys.service';

@Roles('admin')
@ApiTags('Admin: signing keys')
@Controller('admin/keys')
export class AdminKeysController {
  constructor(
    private readonly keys: KeysService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiListKeys()
  list() {
    return this.keys.list();
  }

  @Post('rotate')
  @ApiRotateKeys()
  async rotate(@Query() query: RotateKeysQuery) {
    const rotation = await this.keys.rotate({ force: query.force === 'true' });
    void this.audit.record({
      type: AuditEventType.KeysRotated,
      outcome: 'success',
      subjectId: rotation.active.kid,
      details: {
        forced: query.force === 'true',
        retiring: rotation.retiring.kid,
        next: rotation.next.kid,
      },
    });
    return rotation;
  }

  @Post(':kid/revoke')
  @ApiRevokeKey()
  @HttpCode(200)
  async revoke(@Param('kid') kid: string) {
    const revoked = await this.keys.revoke(kid);
    void this.audit.record({
      type: AuditEventType.KeysRevoked,
      outcome: 'success',
      subjectId: kid,
    });
    return revoked;
  }
}
