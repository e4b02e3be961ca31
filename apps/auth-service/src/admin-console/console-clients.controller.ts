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
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { ClientsService, CreatedClient } from '../clients/clients.service';
import { ConsoleExceptionFilter } from './console-exception.filter';
import { redirectTo, sendPage } from '../web/page-response';
import { CurrentSession } from '../sessions/session-context';
import type { ActiveSession } from '../sessions/sessions.service';
import { AdminPageGuard } from './admin-page.guard';
import { attempt, viewerOf } from './console-context';
import { ConsoleFormDto, CreateClientFormDto, NoticeQueryDto } from './console-forms.dto';
import { noticeText, withNotice } from './console-notices';
import { ClientsPageModel, clientPath, clientsPage } from './views/clients.page';
import { confirmPage } from './views/confirm.page';

const CLIENTS = '/admin/console/clients';

/**
 * `/admin/console/clients`: what `/admin/clients` does (create, list, rotate a secret, delete),
 * with the same audit events. A secret is shown in the answer to the post that made it, never again.
 */
@ApiExcludeController()
@Public()
@UseGuards(AdminPageGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('admin/console/clients')
export class ConsoleClientsController {
  constructor(
    private readonly clients: ClientsService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  async list(
    @CurrentSession() active: ActiveSession,
    @Query() query: NoticeQueryDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    await this.render(response, active, { notice: noticeText(query.notice) });
  }

  @Post()
  async create(
    @CurrentSession() active: ActiveSession,
    @Body() form: CreateClientFormDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const name = form.name.trim();
    const scopesText = form.scopes ?? '';
    const typed = { name: form.name, scopes: scopesText };
    if (name === '') {
      await this.render(response, active, { error: 'Give the client a name.', form: typed }, 400);
      return;
    }
    const scopes = scopesText.split(/[\s,]+/).filter((scope) => scope !== '');
    const outcome = await attempt(() => this.clients.create({ name, scopes }));
    if (!outcome.ok) {
      await this.render(response, active, { error: outcome.message, form: typed }, outcome.status);
      return;
    }
    this.recordCreated(outcome.value);
    await this.render(response, active, { secret: { client: outcome.value, action: 'created' } });
  }

  @Post(':id/rotate-secret')
  async rotateSecret(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
    @Body() form: ConsoleFormDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    if (form.confirm !== 'yes') {
      this.confirm(response, active, {
        title: `Rotate the secret of ${id}?`,
        consequences: [
          'A new secret is generated and shown once. The old one stops working at once here (on other auth-service instances within CLIENT_CACHE_TTL): update the service that uses it.',
        ],
        action: `${clientPath(id)}/rotate-secret`,
        confirmLabel: 'Rotate the secret',
      });
      return;
    }
    const outcome = await attempt(() => this.clients.rotateSecret(id));
    if (!outcome.ok) {
      await this.render(response, active, { error: outcome.message }, outcome.status);
      return;
    }
    void this.audit.record({
      type: AuditEventType.ClientSecretRotated,
      outcome: 'success',
      subjectId: outcome.value.clientId,
    });
    await this.render(response, active, { secret: { client: outcome.value, action: 'rotated' } });
  }

  @Post(':id/delete')
  async remove(
    @CurrentSession() active: ActiveSession,
    @Param('id') id: string,
    @Body() form: ConsoleFormDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    if (form.confirm !== 'yes') {
      this.confirm(response, active, {
        title: `Delete the client ${id}?`,
        consequences: [
          'Its secret stops working and the tokens it holds are refused at introspection. The client stays listed as deleted; this cannot be undone from the console.',
        ],
        action: `${clientPath(id)}/delete`,
        confirmLabel: 'Delete the client',
      });
      return;
    }
    const outcome = await attempt(() => this.clients.revoke(id));
    if (!outcome.ok) {
      await this.render(response, active, { error: outcome.message }, outcome.status);
      return;
    }
    void this.audit.record({
      type: AuditEventType.ClientRevoked,
      outcome: 'success',
      subjectId: id,
    });
    redirectTo(response, withNotice(CLIENTS, 'client_deleted'));
  }

  private recordCreated(created: CreatedClient): void {
    void this.audit.record({
      type: AuditEventType.ClientCreated,
      outcome: 'success',
      subjectId: created.clientId,
      details: { name: created.name, scopes: created.scopes },
    });
  }

  private confirm(
    response: FastifyReply,
    active: ActiveSession,
    page: { title: string; consequences: string[]; action: string; confirmLabel: string },
  ): void {
    sendPage(
      response,
      confirmPage({ screen: 'clients', viewer: viewerOf(active), cancel: CLIENTS, ...page }),
    );
  }

  private async render(
    response: FastifyReply,
    active: ActiveSession,
    extras: Omit<ClientsPageModel, 'viewer' | 'clients'>,
    status = 200,
  ): Promise<void> {
    const clients = await this.clients.list();
    sendPage(response, clientsPage({ viewer: viewerOf(active), clients, ...extras }), status);
  }
}
