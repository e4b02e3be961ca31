import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Logger,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { authConfig, AuthSettings } from '../config/auth.config';
import { redirectTo } from '../pages/page-response';
import {
  clearCookie,
  CookieOptions,
  readCookie,
  SESSION_COOKIE,
  setCookie,
  setSessionCookie,
} from '../sessions/session-cookies';
import { SessionsService } from '../sessions/sessions.service';
import { GoogleStartThrottle } from '../throttle/google-start-throttle.service';
import { TokenPair, TokensService } from '../tokens/tokens.service';
import { GoogleSignInFailure, sendFailurePage } from './google-failure';
import { CallbackQuery, GoogleSignInService, TRANSACTION_TTL_MS } from './google-sign-in.service';
import { GoogleExchangeDto } from './google.dto';

/** The browser's half of the transaction: the state, HttpOnly, sent back only to the callback. */
export const GOOGLE_STATE_COOKIE = 'keycard.google';

/**
 * `/auth/google` (start), `/auth/google/callback` (finish: a session, or a hand-off code) and
 * `/auth/google/exchange` (hand-off code → tokens). 404 (JSON) when Google is not configured.
 */
@Controller('auth/google')
export class GoogleController {
  private readonly logger = new Logger('GoogleSignIn');

  constructor(
    private readonly google: GoogleSignInService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
    private readonly startThrottle: GoogleStartThrottle,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
  ) {}

  @Public()
  @Get()
  async start(
    @Query('mode') mode: unknown,
    @Query('returnTo') returnTo: unknown,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    // Counted before the transaction row is written: 429 (JSON, with Retry-After) over the limit.
    await this.startThrottle.hit(request.ip);
    try {
      const { state, location } = await this.google.begin(mode, returnTo);
      // SameSite=Lax: the callback is a top-level cross-site GET from the provider.
      setCookie(response, GOOGLE_STATE_COOKIE, state, {
        ...this.stateCookie(),
        maxAge: TRANSACTION_TTL_MS,
      });
      void response.header('Cache-Control', 'no-store').redirect(location, 302);
    } catch (error) {
      this.fail(error, response);
    }
  }

  @Public()
  @Get('callback')
  async callback(
    @Query() query: CallbackQuery,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    const browserState = readCookie(request, GOOGLE_STATE_COOKIE);
    try {
      const outcome = await this.google.complete(query, browserState);
      clearCookie(response, GOOGLE_STATE_COOKIE, this.stateCookie());
      if (outcome.mode === 'code') {
        this.logger.log(`Google sign-in of user ${outcome.user.id}: hand-off code issued`);
        redirectTo(response, outcome.redirect);
        return;
      }
      const { token } = await this.sessions.start(
        outcome.user,
        { userAgent: request.headers['user-agent'], ip: request.ip },
        readCookie(request, SESSION_COOKIE),
      );
      setSessionCookie(response, token, this.config);
      this.logger.log(`Google sign-in of user ${outcome.user.id}: session started`);
      redirectTo(response, outcome.returnTo);
    } catch (error) {
      // A failed attempt ends the transaction too; a 404 (Google off) leaves cookies alone.
      if (browserState !== undefined)
        clearCookie(response, GOOGLE_STATE_COOKIE, this.stateCookie());
      this.fail(error, response);
    }
  }

  /** The SPA/mobile hand-off: a one-time code from the callback redirect → a token pair. */
  @Public()
  @Post('exchange')
  @HttpCode(200)
  async exchange(
    @Body() body: GoogleExchangeDto,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<TokenPair> {
    const user = await this.google.redeemHandoff(body.code);
    response.header('Cache-Control', 'no-store');
    return this.tokens.login(user);
  }

  private stateCookie(): CookieOptions {
    return { secure: this.config.cookieSecure, path: '/auth/google' };
  }

  /** Sign-in failures become their page (and a log line without secrets); anything else is rethrown. */
  private fail(error: unknown, response: FastifyReply): void {
    if (!(error instanceof GoogleSignInFailure)) throw error;
    const log = error.kind === 'unavailable' || error.kind === 'provider_error' ? 'warn' : 'log';
    this.logger[log](`Google sign-in refused (${error.kind}): ${error.reason}`);
    sendFailurePage(response, error.kind);
  }
}
