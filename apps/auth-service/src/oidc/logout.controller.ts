import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { authConfig, AuthSettings } from '../config/auth.config';
import { assertSessionCsrf } from '../sessions/csrf';
import { clearSessionCookie, readCookie, SESSION_COOKIE } from '../sessions/session-cookies';
import { ActiveSession, SessionsService } from '../sessions/sessions.service';
import { PageExceptionFilter } from '../web/page-exception.filter';
import { sendPage } from '../web/page-response';
import { LogoutService, LogoutStep } from './logout.service';
import { logoutConfirmPage, sendAuthorizeErrorPage } from './oidc.pages';

function formBody(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/** `/oauth/logout`: RP-initiated logout (GET), and the confirmation form it may show (POST). */
@Public()
@UseFilters(PageExceptionFilter)
@ApiExcludeController()
@Controller('oauth/logout')
export class LogoutController {
  constructor(
    private readonly logout: LogoutService,
    private readonly sessions: SessionsService,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
  ) {}

  @Get()
  async get(
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const active = await this.session(request);
    this.render(await this.logout.request(query, active), active, response);
  }

  @Post()
  async post(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const active = await this.session(request);
    if (active !== null) {
      assertSessionCsrf(request, active.session.csrfToken, new URL(this.config.issuer).origin);
    }
    this.render(await this.logout.confirm(formBody(body), active), active, response);
  }

  private session(request: FastifyRequest): Promise<ActiveSession | null> {
    return this.sessions.resolve(readCookie(request, SESSION_COOKIE));
  }

  private render(step: LogoutStep, active: ActiveSession | null, response: FastifyReply): void {
    switch (step.kind) {
      case 'error-page':
        sendAuthorizeErrorPage(response, step.description);
        return;
      case 'redirect':
        if (step.ended) clearSessionCookie(response, this.config);
        void response.header('Cache-Control', 'no-store').redirect(step.location, 302);
        return;
      case 'confirm':
        sendPage(
          response,
          logoutConfirmPage({
            appName: step.appName,
            csrfToken: active?.session.csrfToken ?? '',
            ...step.params,
          }),
        );
        return;
    }
  }
}
