import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { LoginErrorCode, loginPage, parseLoginError, parseRetrySeconds } from '../auth/login.page';
import { authConfig, AuthSettings } from '../config/auth.config';
import { assertSessionCsrf } from '../sessions/csrf';
import { AUTHORIZE_RESUME_PATH, rememberReturnPath } from '../sessions/return-path';
import {
  ensureLoginCsrfToken,
  readCookie,
  rememberedFormEmail,
  SESSION_COOKIE,
} from '../sessions/session-cookies';
import { ActiveSession, SessionsService } from '../sessions/sessions.service';
import { PageExceptionFilter } from '../web/page-exception.filter';
import { AuthorizeService, AuthorizeStep } from './authorize.service';
import { consentPage, sendAuthorizeErrorPage, sendInteractionPage } from './oidc.pages';

/** Where the sign-in form sends the browser back to (allowed by `return-path.ts`). */
export function resumePath(handle: string): string {
  return `${AUTHORIZE_RESUME_PATH}?request=${handle}`;
}

/** A failed sign-in on the request's page (`login-form-errors.ts`), shown when it comes back. */
interface FailedSignIn {
  error?: LoginErrorCode;
  retryAfterSeconds?: number;
}

function failedSignIn(error: unknown, retry: unknown): FailedSignIn {
  const code = parseLoginError(error);
  if (code === undefined) return {};
  return { error: code, retryAfterSeconds: parseRetrySeconds(retry) };
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

  /** Back from the sign-in form: after a sign-in, or after a failed one (`error`, `retry`). */
  @Get('resume')
  async resume(
    @Query('request') handle: unknown,
    @Query('error') error: unknown,
    @Query('retry') retry: unknown,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const active = await this.session(request);
    const step = await this.authorize.resume(handle, active);
    this.render(step, active, request, response, failedSignIn(error, retry));
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

  /**
   * The sign-in form for the request, coming back to it (the return path, and Google's
   * `returnTo`); after a failed attempt with its message and the address typed.
   */
  private renderLogin(
    step: Extract<AuthorizeStep, { kind: 'login' }>,
    active: ActiveSession | null,
    request: FastifyRequest,
    response: FastifyReply,
    failed: FailedSignIn,
  ): void {
    const resume = resumePath(step.handle);
    rememberReturnPath(response, resume, this.config);
    const typed = failed.error === undefined ? undefined : rememberedFormEmail(request);
    const page = loginPage({
      csrfToken: ensureLoginCsrfToken(request, response, this.config),
      email: typed ?? step.request.loginHint ?? active?.user.email,
      ...failed,
      googleEnabled: this.config.googleClientId !== undefined,
      googleReturnTo: resume,
    });
    sendInteractionPage(response, page, step.request.redirectUri);
  }

  private session(request: FastifyRequest): Promise<ActiveSession | null> {
    return this.sessions.resolve(readCookie(request, SESSION_COOKIE));
  }

  private render(
    step: AuthorizeStep,
    active: ActiveSession | null,
    request: FastifyRequest,
    response: FastifyReply,
    failed: FailedSignIn = {},
  ): void {
    switch (step.kind) {
      case 'error-page':
        sendAuthorizeErrorPage(response, step.description);
        return;
      case 'redirect':
        void response.header('Cache-Control', 'no-store').redirect(step.location, 302);
        return;
      case 'login':
        this.renderLogin(step, active, request, response, failed);
        return;
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
