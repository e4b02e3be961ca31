import { Controller, Get, Inject, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { authConfig, AuthSettings } from '../config/auth.config';
import {
  ensureLoginCsrfToken,
  readCookie,
  rememberedFormEmail,
  SESSION_COOKIE,
} from '../sessions/session-cookies';
import { SessionsService } from '../sessions/sessions.service';
import { loginPage, parseLoginError, parseRetrySeconds } from './login.page';
import { PageExceptionFilter } from '../web/page-exception.filter';
import { redirectTo, sendPage } from '../web/page-response';

/** `GET /login`: the sign-in page, or straight to `/account` for someone already signed in. */
@Public()
@UseFilters(PageExceptionFilter)
@ApiExcludeController()
@Controller('login')
export class LoginPageController {
  constructor(
    private readonly sessions: SessionsService,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
  ) {}

  @Get()
  async show(
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
    @Query('error') error?: string,
    @Query('retry') retry?: string,
    @Query('signed_out') signedOut?: string,
  ): Promise<void> {
    if (await this.sessions.resolve(readCookie(request, SESSION_COOKIE))) {
      redirectTo(response, '/account');
      return;
    }
    const page = loginPage({
      csrfToken: ensureLoginCsrfToken(request, response, this.config),
      error: parseLoginError(error),
      retryAfterSeconds: parseRetrySeconds(retry),
      signedOut: signedOut === '1',
      // Only after an error: a plain visit starts with an empty form.
      email: parseLoginError(error) ? rememberedFormEmail(request) : undefined,
      googleEnabled: this.config.googleClientId !== undefined,
    });
    sendPage(response, page);
  }
}
