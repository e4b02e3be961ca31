import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@keycard/auth';
import { actorOf } from '../audit/audit-context';
import { ApiKeyView } from './api-key-views';
import { ApiAdminListApiKeys, ApiAdminRevokeApiKey } from './api-keys.responses';
import { ApiKeysService } from './api-keys.service';

/** A user's API keys (never their secrets), for administrators; role `admin`. */
@ApiTags('Admin: users')
@Controller('admin/users/:userId/api-keys')
@Roles('admin')
export class AdminApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @ApiAdminListApiKeys()
  list(@Param('userId') userId: string): Promise<ApiKeyView[]> {
    return this.apiKeys.list(userId);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiAdminRevokeApiKey()
  revoke(
    @CurrentPrincipal() admin: Principal,
    @Param('userId') userId: string,
    @Param('id') id: string,
  ): Promise<void> {
    return this.apiKeys.revoke(userId, id, actorOf(admin));
  }
}
