import { Controller, Get, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@keycard/auth';
import { ConsoleExceptionFilter } from './console-exception.filter';
import { sendPage } from '../web/page-response';
import { CurrentSession } from '../sessions/session-context';
import type { ActiveSession } from '../sessions/sessions.service';
import { AdminOverviewService } from './admin-overview.service';
import { AdminPageGuard } from './admin-page.guard';
import { viewerOf } from './console-context';
import { overviewPage } from './views/overview.page';

/** `GET /admin`: the console's first screen (what `GET /admin/overview` answers). */
@ApiExcludeController()
@Public()
@UseGuards(AdminPageGuard)
@UseFilters(ConsoleExceptionFilter)
@Controller('admin')
export class ConsoleOverviewController {
  constructor(private readonly overview: AdminOverviewService) {}

  @Get()
  async show(
    @CurrentSession() active: ActiveSession,
    @Res() response: FastifyReply,
  ): Promise<void> {
    sendPage(response, overviewPage(viewerOf(active), await this.overview.overview()));
  }
}
