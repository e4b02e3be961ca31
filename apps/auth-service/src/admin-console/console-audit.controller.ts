import { Controller, Get, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@keycard/auth';
import { AUDIT_OUTCOMES, AuditOutcome } from '../audit/audit-events';
import { AUDIT_TYPE_FILTER } from '../audit/audit-query.dto';
import { AuditFilter, AuditQueryService } from '../audit/audit-query.service';
import { ConsoleExceptionFilter } from './console-exception.filter';
import { sendPage } from '../web/page-response';
import { CurrentSession } from '../sessions/session-context';
import type { ActiveSession } from '../sessions/sessions.service';
import { AdminPageGuard } from './admin-page.guard';
import { viewerOf } from './console-context';
import { AuditFormQueryDto } from './console-forms.dto';
import { auditPage, AuditFilterForm } from './views/audit.page';

const PAGE_SIZE = 50;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** Epoch ms of a `YYYY-MM-DD` day's start (UTC), or undefined when it is not a real day. */
function dayStart(value: string): number | undefined {
  if (!DAY.test(value)) return undefined;
  const ms = Date.parse(`${value}T00:00:00.000Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value ? undefined : ms;
}

/**
 * The form's filters as `GET /admin/audit` takes them (same rules: a type or a `prefix.*`, an
 * outcome, ids, a range of whole UTC days), or the first reason they cannot be used.
 */
export function auditFilterOf(form: AuditFilterForm): { filter: AuditFilter } | { error: string } {
  const filter: AuditFilter = {};
  if (form.type !== '') {
    if (!AUDIT_TYPE_FILTER.test(form.type)) return { error: 'That is not an event type.' };
    filter.type = form.type;
  }
  if (form.outcome !== '') {
    if (!(AUDIT_OUTCOMES as readonly string[]).includes(form.outcome))
      return { error: 'The outcome is success or failure.' };
    filter.outcome = form.outcome as AuditOutcome;
  }
  if (form.actorId !== '') filter.actorId = form.actorId;
  if (form.subjectId !== '') filter.subjectId = form.subjectId;
  if (form.from !== '') {
    filter.from = dayStart(form.from);
    if (filter.from === undefined) return { error: 'The start day is not a date.' };
  }
  if (form.to !== '') {
    const start = dayStart(form.to);
    if (start === undefined) return { error: 'The end day is not a date.' };
    filter.to = start + DAY_MS - 1;
  }
  return { filter };
}

/** `/admin/console/audit`: what `GET /admin/audit` answers, as a filtered, paged table. */
@ApiExcludeController()
@Public()
@UseGuards(AdminPageGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('admin/console/audit')
export class ConsoleAuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  async list(
    @CurrentSession() active: ActiveSession,
    @Query() query: AuditFormQueryDto,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const form: AuditFilterForm = {
      type: query.type?.trim() ?? '',
      outcome: query.outcome?.trim() ?? '',
      actorId: query.actorId?.trim() ?? '',
      subjectId: query.subjectId?.trim() ?? '',
      from: query.from?.trim() ?? '',
      to: query.to?.trim() ?? '',
    };
    const parsed = auditFilterOf(form);
    const viewer = viewerOf(active);
    if ('error' in parsed) {
      const page = { page: 1, pageSize: PAGE_SIZE, total: 0 };
      sendPage(
        response,
        auditPage({ viewer, events: [], filter: form, error: parsed.error, ...page }),
        400,
      );
      return;
    }
    const result = await this.audit.list(parsed.filter, query.page, PAGE_SIZE);
    sendPage(
      response,
      auditPage({
        viewer,
        events: result.items,
        filter: form,
        page: result.page,
        pageSize: result.pageSize,
        total: result.total,
        totalCapped: result.totalCapped,
      }),
    );
  }
}
