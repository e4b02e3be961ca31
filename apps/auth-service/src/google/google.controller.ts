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
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { MfaLoginService } from '../mfa/mfa-login.service';
import { MfaSessionSteps } from '../mfa/mfa-session-steps';
import { federatedSignIn } from '../auth-context/sign-in-context';
import { parseLoginError } from '../auth/login.page';
import { redirectTo, sendPage } from '../web/page-response';
import { assertLoginCsrf } from '../sessions/csrf';
import {
  clearCookie,
  clearLoginCsrfCookie,
  CookieOptions,
  ensureLoginCsrfToken,
  readCookie,
  SESSION_COOKIE,
  setCookie,
  setSessionCookie,
} from '../sessions/session-cookies';
import { SessionsService } from '../sessions/sessions.service';
import { GoogleStartThrottle } from '../throttle/google-start-throttle.service';
import { TokenPair, TokensService } from '../tokens/tokens.service';
import { GoogleSignInFailure, sendFailurePage } from './google-failure';
import {
  CallbackQuery,
  GoogleSignInService,
  SignInOutcome,
  TRANSACTION_TTL_MS,
} from './google-sign-in.service';
import { GoogleExchangeDto, GoogleLinkDto } from './google.dto';
import { LINK_TTL_MS } from './google-link.service';
import { linkPage } from './google-link.page';
import { ApiGoogleExchange } from './google.responses';

/** The browser's half of the transaction: the state, HttpOnly, sent back only to the callback. */
export const GOOGLE_STATE_COOKIE = 'keycard.google';
/** The key of a link waiting for an existing account's password (`/auth/google/link`). */
export const GOOGLE_LINK_COOKIE = 'keycard.google.link';

function retrySeconds(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : undefined;
}

/** Where a refused password post sends the browser back to (303, so a reload never re-posts). */
function linkErrorLocation(error: unknown): string | undefined {
  if (!(error instanceof KeycardError)) return undefined;
  if (error.code === ErrorCode.InvalidCredentials)
    return '/auth/google/link?error=invalid_credentials';
  if (error.code === ErrorCode.CsrfFailed) return '/auth/google/link?error=csrf';
  if (error.code !== ErrorCode.RateLimited) return undefined;
  const retry = error.details['retryAfter'];
  return `/auth/google/link?error=rate_limited${typeof retry === 'number' ? `&retry=${retry}` : ''}`;
}

/**
 * `/auth/google` (start), `/auth/google/callback` (finish: a session, or a hand-off code),
 * `/auth/google/link` (an existing, unverified account's password first) and
 * `/auth/google/exchange` (hand-off code → tokens). 404 (JSON) when Google is not configured.
 */
@ApiTags('Sign in with Google')
@Controller('auth/google')
export class GoogleController {
  private readonly logger = new Logger('GoogleSignIn');
  private readonly issuerOrigin: string;

  constructor(
    private readonly google: GoogleSignInService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
    private readonly startThrottle: GoogleStartThrottle,
    private readonly mfaLogin: MfaLoginService,
    private readonly mfaSteps: MfaSessionSteps,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
    private readonly clock: Clock,
  ) {
    this.issuerOrigin = new URL(config.issuer).origin;
  }

  @Public()
  @ApiExcludeEndpoint() // a browser redirect or an HTML page, not an API
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
  @ApiExcludeEndpoint() // a browser redirect or an HTML page, not an API
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
      await this.respond(outcome, request, response);
    } catch (error) {
      // A failed attempt ends the transaction too; a 404 (Google off) leaves cookies alone.
      if (browserState !== undefined)
        clearCookie(response, GOOGLE_STATE_COOKIE, this.stateCookie());
      this.fail(error, response);
    }
  }

  /** The password step of a link to an existing, unverified account (403 page without one). */
  @Public()
  @ApiExcludeEndpoint() // a browser redirect or an HTML page, not an API
  @Get('link')
  async linkForm(
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
    @Query('error') error?: string,
    @Query('retry') retry?: string,
  ): Promise<void> {
    try {
      const email = await this.google.pendingLinkEmail(readCookie(request, GOOGLE_LINK_COOKIE));
      if (email === null) throw new GoogleSignInFailure('state', 'no pending link');
      const page = linkPage({
        email,
        csrfToken: ensureLoginCsrfToken(request, response, this.config),
        error: parseLoginError(error),
        retryAfterSeconds: retrySeconds(retry),
      });
      sendPage(response, page);
    } catch (failure) {
      this.fail(failure, response);
    }
  }

  /** The account's password (login CSRF and login throttle apply): linked and signed in, or back. */
  @Public()
  @ApiExcludeEndpoint() // a browser redirect or an HTML page, not an API
  @Post('link')
  async link(
    @Body() body: GoogleLinkDto,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    try {
      assertLoginCsrf(request, this.issuerOrigin);
      const outcome = await this.google.confirmLink(
        readCookie(request, GOOGLE_LINK_COOKIE),
        body.password,
        request.ip,
      );
      clearCookie(response, GOOGLE_LINK_COOKIE, this.stateCookie());
      clearLoginCsrfCookie(response, this.config);
      await this.respond(outcome, request, response);
    } catch (error) {
      const location = linkErrorLocation(error);
      if (location === undefined) this.fail(error, response);
      else redirectTo(response, location);
    }
  }

  /**
   * The SPA/mobile hand-off: a one-time code from the callback redirect → a token pair. A user
   * with a second factor gets the 401 `mfa_required` answer of `POST /auth/login` instead, and
   * the app trades its `mfaToken` and a code at `POST /auth/login/mfa` (amr: none + otp, mfa).
   */
  @Public()
  @Post('exchange')
  @ApiGoogleExchange()
  @HttpCode(200)
  async exchange(
    @Body() body: GoogleExchangeDto,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<TokenPair> {
    const user = await this.google.redeemHandoff(body.code);
    response.header('Cache-Control', 'no-store');
    const signIn = federatedSignIn(this.clock.now());
    const challenge = this.mfaLogin.challenge(user, signIn);
    if (challenge) throw MfaLoginService.required(challenge);
    return this.tokens.login(user, signIn);
  }

  /** A hand-off redirect, a new session, or the password step of a link. */
  private async respond(
    outcome: SignInOutcome,
    request: FastifyRequest,
    response: FastifyReply,
  ): Promise<void> {
    if (outcome.mode === 'link') {
      setCookie(response, GOOGLE_LINK_COOKIE, outcome.key, {
        ...this.stateCookie(),
        maxAge: LINK_TTL_MS,
      });
      redirectTo(response, '/auth/google/link');
      return;
    }
    if (outcome.mode === 'code') {
      this.logger.log(`Google sign-in of user ${outcome.user.id}: hand-off code issued`);
      redirectTo(response, outcome.redirect);
      return;
    }
    const signIn = federatedSignIn(this.clock.now());
    // A second factor is asked for exactly as after the password form: no session before it.
    if (this.mfaSteps.askAfterFederated(outcome.user, signIn, outcome.returnTo, response)) {
      this.logger.log(`Google sign-in of user ${outcome.user.id}: second factor asked for`);
      return;
    }
    const { token } = await this.sessions.start(
      outcome.user,
      { userAgent: request.headers['user-agent'], ip: request.ip },
      readCookie(request, SESSION_COOKIE),
      signIn,
    );
    setSessionCookie(response, token, this.config);
    this.logger.log(`Google sign-in of user ${outcome.user.id}: session started`);
    redirectTo(response, outcome.returnTo);
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
