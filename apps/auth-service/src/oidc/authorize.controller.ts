import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { loginPage } from '../auth/login.page';
import { authConfig, AuthSettings } from '../config/auth.config';
import { assertSessionCsrf } from '../sessions/csrf';
import { rememberReturnPath } from '../sessions/return-path';
import { ensureLoginCsrfToken, readCookie, SESSION_COOKIE } from '../sessions/session-cookies';
import { ActiveSession, SessionsService } from '../sessions/sessions.service';
import { PageExceptionFilter } from '../web/page-exception.filter';
import { AuthorizeService, AuthorizeStep } from './authorize.service';
import { consentPage, sendAuthorizeErrorPage, sendInteractionPage } from './oidc.pages';

/** Where the sign-in form sends the browser back to (allowed by `return-path.ts`). */
export function resumePath(handle: string): string {
  return `/oauth/authorize/resume?request=${handle}`;
}

function formBody(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/**
 * `/oauth/authorize` (API.md section 5): HTML and redirects only. The interaction is Keycard's own
 * sign-in form and browser session: the request waits server-side while the user signs in
 * (`PendingRequestsService`) and the form comes back to it through the return path.
 */
@Public()
@UseFilters(PageExceptionFilter)
@ApiExcludeController()
@Controller('oauth/authorize')
export class AuthorizeController {
  constructor(
    private readonly authorize: AuthorizeService,
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
    this.render(await this.authorize.start(query, active), active, request, response);
  }

  @Post()
  async post(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const active = await this.session(request);
    this.render(await this.authorize.start(formBody(body), active), active, request, response);
  }

  @Get('resume')
  async resume(
    @Query('request') handle: unknown,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const active = await this.session(request);
    this.render(await this.authorize.resume(handle, active), active, request, response);
  }

  /** The consent form: only with the session's CSRF token (and a same-site Origin). */
  @Post('consent')
  async consent(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const active = await this.session(request);
    if (active === null) {
      sendAuthorizeErrorPage(response, 'You are not signed in any more; start again from the app');
      return;
    }
    assertSessionCsrf(request, active.session.csrfToken, new URL(this.config.issuer).origin);
    const form = formBody(body);
    const step = await this.authorize.decide(form['request'], active, form['decision'] === 'allow');
    this.render(step, active, request, response);
  }

  private session(request: FastifyRequest): Promise<ActiveSession | null> {
    return this.sessions.resolve(readCookie(request, SESSION_COOKIE));
  }

  private render(
    step: AuthorizeStep,
    active: ActiveSession | null,
    request: FastifyRequest,
    response: FastifyReply,
  ): void {
    switch (step.kind) {
      case 'error-page':
        sendAuthorizeErrorPage(response, step.description);
        return;
      case 'redirect':
        void response.header('Cache-Control', 'no-store').redirect(step.location, 302);
        return;
      case 'login': {
        rememberReturnPath(response, resumePath(step.handle), this.config);
        const page = loginPage({
          csrfToken: ensureLoginCsrfToken(request, response, this.config),
          email: step.request.loginHint ?? active?.user.email,
          googleEnabled: false,
        });
        sendInteractionPage(response, page, step.request.redirectUri);
        return;
      }
      case 'consent': {
        const page = consentPage({
          appName: step.client.name,
          email: active?.user.email ?? '',
          scopes: step.request.scopes,
          handle: step.handle,
          csrfToken: active?.session.csrfToken ?? '',
        });
        sendInteractionPage(response, page, step.request.redirectUri);
        return;
      }
    }
  }
}
