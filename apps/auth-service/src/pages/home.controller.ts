import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { readCookie, SESSION_COOKIE } from '../sessions/session-cookies';
import { SessionsService } from '../sessions/sessions.service';
import { homePage } from './home.page';
import { PageExceptionFilter } from '../web/page-exception.filter';
import { sendPage } from '../web/page-response';

/** `GET /`: the landing page, instead of a JSON 404 for whoever opens the service's address. */
@Public()
@UseFilters(PageExceptionFilter)
@ApiExcludeController()
@Controller()
export class HomeController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  async show(@Req() request: FastifyRequest, @Res() response: FastifyReply): Promise<void> {
    const active = await this.sessions.resolve(readCookie(request, SESSION_COOKIE));
    sendPage(response, homePage({ signedInAs: active?.user.email }));
  }
}
