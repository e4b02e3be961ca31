import { Body, Controller, Param, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@keycard/auth';
import { MfaService } from '../mfa/mfa.service';
import { CurrentSession } from '../sessions/session-context';
import type { ActiveSession } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { redirectTo, sendPage } from '../web/page-response';
import { AdminPageGuard } from './admin-page.guard';
import { viewerOf } from './console-context';
import { ConsoleExceptionFilter } from './console-exception.filter';
import { ConsoleFormDto } from './console-forms.dto';
import { withNotice } from './console-notices';
import { confirmPage } from './views/confirm.page';
import { userPath } from './views/user.page';

/** "Reset second factors" on a user's console page: `DELETE /admin/users/:id/mfa` with a confirmation. */
@Public()
@ApiExcludeController()
@UseGuards(AdminPageGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('admin/console/users')
export class ConsoleMfaController {
  constructor(
    private readonly users: UsersService,
    private readonly mfa: MfaService,
  ) {}

  @Post(':id/mfa/reset')
  async reset(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
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
          title: `Reset the second factors of ${user.email}?`,
          consequences: [
            'Their authenticator app, passkeys and recovery codes are removed; they sign in with their password alone until they set up a factor again.',
            'They are told by mail, and the reset is in the audit log.',
          ],
          action: `${userPath(user.id)}/mfa/reset`,
          confirmLabel: 'Reset second factors',
          cancel: userPath(user.id),
        }),
      );
      return;
    }
    await this.mfa.reset(user.id, { type: 'user', id: active.user.id });
    redirectTo(response, withNotice(userPath(user.id), 'mfa_reset'));
  }
}
