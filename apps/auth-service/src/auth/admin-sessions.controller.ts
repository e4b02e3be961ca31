import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@keycard/auth';
import { actorOf } from '../audit/audit-context';
import { SessionView, toSessionView } from '../sessions/session-views';
import { ApiAdminListSessions, ApiAdminRevokeSession } from './sessions.responses';
import { SessionsService } from '../sessions/sessions.service';

/** A user's browser sessions, for administrators (the admin console's user screen); role `admin`. */
@ApiTags('Admin: users')
@Controller('admin/users/:userId/sessions')
@Roles('admin')
export class AdminSessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiAdminListSessions()
  async list(@Param('userId') userId: string): Promise<SessionView[]> {
    const sessions = await this.sessions.list(userId);
    return sessions.map((session) => toSessionView(session, undefined));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiAdminRevokeSession()
  revoke(
    @CurrentPrincipal() admin: Principal,
    @Param('userId') userId: string,
    @Param('id') id: string,
  ): Promise<void> {
    return this.sessions.revoke(userId, id, actorOf(admin));
  }
}
