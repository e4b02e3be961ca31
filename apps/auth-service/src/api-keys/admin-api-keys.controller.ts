import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@keycard/auth';
import { actorOf } from '../audit/audit-context';
import { ApiKeyView } from './api-key-views';
import { ApiKeysService } from './api-keys.service';

/** A user's API keys (never their secrets), for administrators; role `admin`. */
@ApiTags('Admin: users')
@Controller('admin/users/:userId/api-keys')
@Roles('admin')
export class AdminApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @ApiOperation({ summary: "A user's API keys, newest first (empty for an unknown user)" })
  list(@Param('userId') userId: string): Promise<ApiKeyView[]> {
    return this.apiKeys.list(userId);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: "Revokes one of the user's API keys at once (audited: api_key.revoked)",
    description:
      'Resource services that cache key answers accept the key until their API_KEY_CACHE_TTL ends.',
  })
  @ApiNoContentResponse({ description: 'Revoked (also when it already was)' })
  @ApiNotFoundResponse({ description: 'No such key of this user' })
  revoke(
    @CurrentPrincipal() admin: Principal,
    @Param('userId') userId: string,
    @Param('id') id: string,
  ): Promise<void> {
    return this.apiKeys.revoke(userId, id, actorOf(admin));
  }
}
