import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  Query,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@keycard/auth';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { ConsoleExceptionFilter } from './console-exception.filter';
import { redirectTo, sendPage } from '../web/page-response';
import { CurrentSession } from '../sessions/session-context';
import { ActiveSession, SessionsService } from '../sessions/sessions.service';
import { AdminUserView, toAdminUserView } from '../users/public-user';
import { ROLE_PATTERN } from '../users/users.dto';
import { UsersService } from '../users/users.service';
import { AdminPageGuard } from './admin-page.guard';
import { attempt, viewerOf } from './console-context';
import { ConsoleFormDto, NoticeQueryDto, RolesFormDto, UsersQueryDto } from './console-forms.dto';
import { noticeText, withNotice } from './console-notices';
import { confirmPage } from './views/confirm.page';
import { ConsoleMessages } from './views/console-layout';
import { userPage, userPath } from './views/user.page';
import { usersPage } from './views/users.page';

const PAGE_SIZE = 20;
const MAX_ROLES = 20;

/** The roles typed in the form, or why they cannot be saved. */
export function parseRoles(text: string): { roles: string[] } | { error: string } {
  const roles = [...new Set(text.split(/[\s,]+/).filter((role) => role !== ''))];
  if (roles.length > MAX_ROLES) return { error: `At most ${MAX_ROLES} roles.` };
  const bad = roles.find((role) => !ROLE_PATTERN.test(role));
  if (bad !== undefined) {
    return {
      error: `"${bad.slice(0, 40)}" is not a role: lowercase letters, digits and : _ - (up to 32).`,
    };
  }
  return { roles };
}

/**
 * `/admin/console/users`: the user screens. Each action calls what `PATCH /admin/users/:id`,
 * `DELETE /admin/users/:id/sessions/:sid` and `DELETE /admin/users/:id/api-keys/:kid` call; a
 * destructive one first answers with a confirmation page and acts only on `confirm=yes`.
 */
@ApiExcludeController()
@Public()
@UseGuards(AdminPageGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('admin/console/users')
export class ConsoleUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Get()
  async list(
    @CurrentSession() active: ActiveSession,
    @Query() query: UsersQueryDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const email = query.email?.trim().toLowerCase() ?? '';
    const q = query.q?.trim() ?? '';
    const { items, total } = await this.users.list(
      { email: email || undefined, q: q || undefined },
      { page: query.page, pageSize: PAGE_SIZE },
    );
    const page = usersPage({
      viewer: viewerOf(active),
      users: items.map(toAdminUserView),
      email,
      q,
      page: query.page,
      pageSize: PAGE_SIZE,
      total: total ?? 0,
    });
    sendPage(response, page);
  }

  @Get(':id')
  async show(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
    @Query() query: NoticeQueryDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.render(response, active, id, { notice: noticeText(query.notice) });
  }

  @Post(':id/roles')
  async changeRoles(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
    @Body() form: RolesFormDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const parsed = parseRoles(form.roles);
    if ('error' in parsed) {
      await this.render(response, active, id, { error: parsed.error, rolesText: form.roles }, 400);
      return;
    }
    const user = toAdminUserView(await this.users.get(id));
    if (form.confirm !== 'yes') {
      const self = user.id === active.user.id && !parsed.roles.includes('admin');
      sendPage(
        response,
        confirmPage({
          screen: 'users',
          viewer: viewerOf(active),
          title: `Change the roles of ${user.email}?`,
          consequences: [
            `From: ${user.roles.join(', ') || 'none'}. To: ${parsed.roles.join(', ') || 'none'}.`,
            'Their next request already uses the new roles; access tokens they hold keep the old ones until they expire, and resource services read roles from those tokens.',
            ...(self ? ['You are removing your own admin role: you will lose this console.'] : []),
          ],
          action: `${userPath(user.id)}/roles`,
          fields: { roles: parsed.roles.join(', ') },
          confirmLabel: 'Change roles',
          cancel: userPath(user.id),
        }),
      );
      return;
    }
    await this.act(response, active, id, 'roles_changed', () =>
      this.users.update(id, { roles: parsed.roles }),
    );
  }

  @Post(':id/disable')
  async disable(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
    @Body() form: ConsoleFormDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    if (form.confirm !== 'yes') {
      const user = await this.users.get(id);
      sendPage(
        response,
        confirmPage({
          screen: 'users',
          viewer: viewerOf(active),
          title: `Disable ${user.email}?`,
          consequences: [
            'They are signed out of every browser, their refresh tokens stop working and every API key they hold is revoked for good (enabling them again does not bring the keys back).',
            'Access tokens they already hold stay valid until they expire at resource services.',
          ],
          action: `${userPath(user.id)}/disable`,
          confirmLabel: 'Disable the user',
          cancel: userPath(user.id),
        }),
      );
      return;
    }
    await this.act(response, active, id, 'disabled', () =>
      this.users.update(id, { disabled: true }),
    );
  }

  /** Not destructive: no confirmation. */
  @Post(':id/enable')
  async enable(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.act(response, active, id, 'enabled', () =>
      this.users.update(id, { disabled: false }),
    );
  }

  @Post(':id/sessions/:sessionId/revoke')
  async revokeSession(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
    @Param('sessionId') sessionId: string,
    @Body() form: ConsoleFormDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const user = await this.users.get(id);
    if (form.confirm !== 'yes') {
      sendPage(
        response,
        confirmPage({
          screen: 'users',
          viewer: viewerOf(active),
          title: `Sign out a session of ${user.email}?`,
          consequences: ['That browser is signed out at once; the user can sign in again.'],
          action: `${userPath(user.id)}/sessions/${encodeURIComponent(sessionId)}/revoke`,
          confirmLabel: 'Sign out the session',
          cancel: userPath(user.id),
        }),
      );
      return;
    }
    await this.act(response, active, id, 'session_revoked', () =>
      this.sessions.revoke(user.id, sessionId, actorOfSession(active)),
    );
  }

  @Post(':id/api-keys/:keyId/revoke')
  async revokeApiKey(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
    @Param('keyId') keyId: string,
    @Body() form: ConsoleFormDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const user = await this.users.get(id);
    if (form.confirm !== 'yes') {
      sendPage(
        response,
        confirmPage({
          screen: 'users',
          viewer: viewerOf(active),
          title: `Revoke an API key of ${user.email}?`,
          consequences: [
            'The auth-service refuses the key at once; resource services that cache key answers may accept it until their API_KEY_CACHE_TTL ends. A revoked key cannot be restored.',
          ],
          action: `${userPath(user.id)}/api-keys/${encodeURIComponent(keyId)}/revoke`,
          confirmLabel: 'Revoke the key',
          cancel: userPath(user.id),
        }),
      );
      return;
    }
    await this.act(response, active, id, 'key_revoked', () =>
      this.apiKeys.revoke(user.id, keyId, actorOfSession(active)),
    );
  }

  /** Runs the action, then back to the user's screen (303) or the screen with the refusal. */
  private async act(
    response: FastifyReply,
    active: ActiveSession,
    id: string,
    notice: Parameters<typeof withNotice>[1],
    run: () => Promise<unknown>,
  ): Promise<void> {
    const outcome = await attempt(run);
    if (outcome.ok) {
      redirectTo(response, withNotice(userPath(id), notice));
      return;
    }
    await this.render(response, active, id, { error: outcome.message }, outcome.status);
  }

  private async render(
    response: FastifyReply,
    active: ActiveSession,
    id: string,
    extras: ConsoleMessages & { rolesText?: string },
    status = 200,
  ): Promise<void> {
    const user: AdminUserView = toAdminUserView(await this.users.get(id));
    const [sessions, apiKeys] = await Promise.all([
      this.sessions.list(user.id),
      this.apiKeys.list(user.id),
    ]);
    sendPage(
      response,
      userPage({ viewer: viewerOf(active), user, sessions, apiKeys, ...extras }),
      status,
    );
  }
}

/** The signed-in admin, as the actor of the events the owner's services record. */
function actorOfSession({ user }: ActiveSession): { type: 'user'; id: string } {
  return { type: 'user', id: user.id };
}
