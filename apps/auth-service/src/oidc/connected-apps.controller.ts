import { Controller, Get, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@keycard/auth';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { ClientsService } from '../clients/clients.service';
import { CurrentSession } from '../sessions/session-context';
import { SessionPageGuard } from '../sessions/session-page.guard';
import type { ActiveSession } from '../sessions/sessions.service';
import { PageExceptionFilter } from '../web/page-exception.filter';
import { redirectTo, sendPage } from '../web/page-response';
import { AppLoginsService } from './app-logins.service';
import type { ConnectedApp } from './connected-apps.view';
import { connectedAppsPage } from './connected-apps.view';
import { ConsentsService } from './consents.service';

/**
 * `/account/apps`: the apps the user consented to, and removing one — the consent is forgotten
 * and every login of that app for the user (refresh tokens, `sid`) is revoked. Session cookie and
 * CSRF token checked by `SessionPageGuard`.
 */
@Public()
@UseGuards(SessionPageGuard)
@UseFilters(PageExceptionFilter)
@ApiExcludeController()
@Controller('account/apps')
export class ConnectedAppsController {
  constructor(
    private readonly consents: ConsentsService,
    private readonly logins: AppLoginsService,
    private readonly clients: ClientsService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  async show(
    @CurrentSession() active: ActiveSession,
    @Res() response: FastifyReply,
    @Query('removed') removed?: string,
  ): Promise<void> {
    const apps: ConnectedApp[] = [];
    for (const consent of await this.consents.list(active.user.id)) {
      const client = await this.clients.findActive(consent.clientId);
      if (client === null) continue;
      apps.push({
        clientId: client.clientId,
        name: client.name,
        scopes: consent.scopes,
        since: consent.createdAt,
      });
    }
    const page = connectedAppsPage({
      email: active.user.email,
      csrfToken: active.session.csrfToken,
      apps,
      removed: removed === '1',
    });
    sendPage(response, page);
  }

  @Post(':clientId/remove')
  async remove(
    @CurrentSession() active: ActiveSession,
    @Param('clientId') clientId: string,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const userId = active.user.id;
    await this.consents.revoke(userId, clientId);
    await this.logins.endForClient(userId, clientId, 'app_removed');
    void this.audit.record({
      type: AuditEventType.OidcConsentRevoked,
      outcome: 'success',
      actor: { type: 'user', id: userId },
      subjectId: clientId,
    });
    redirectTo(response, '/account/apps?removed=1');
  }
}
