import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@keycard/auth';
import { actorOf } from '../audit/audit-context';
import { SessionView, toSessionView } from './session-views';
import { SessionsService } from './sessions.service';

/** A user's browser sessions, for administrators (the admin console's user screen); role `admin`. */
@ApiTags('Admin: users')
@Controller('admin/users/:userId/sessions')
@Roles('admin')
export class AdminSessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiOperation({ summary: "A user's live sessions, newest first (empty for an unknown user)" })
  async list(@Param('userId') userId: string): Promise<SessionView[]> {
    const sessions = await this.sessions.list(userId);
    return sessions.map((session) => toSessionView(session, undefined));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: "Ends one of the user's sessions at once (audited: session.revoked)" })
  @ApiNoContentResponse({ description: 'Ended' })
  @ApiNotFoundResponse({ description: 'No such session of this user' })
  revoke(
    @CurrentPrincipal() admin: Principal,
    @Param('userId') userId: string,
    @Param('id') id: string,
  ): Promise<void> {
    return this.sessions.revoke(userId, id, actorOf(admin));
  }
}
