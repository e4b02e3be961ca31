import {
  Body,
  Controller,
  Get,
  Inject,
  Logger,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { ErrorCode, KeycardError, mapError } from '@keycard/common';
import { RegistrationService } from '../auth/registration.service';
import { authConfig, AuthSettings } from '../config/auth.config';
import { PageExceptionFilter } from '../web/page-exception.filter';
import { redirectTo, sendPage } from '../web/page-response';
import { assertLoginCsrf } from '../sessions/csrf';
import {
  clearLoginCsrfCookie,
  ensureLoginCsrfToken,
  forgetFormEmail,
  readCookie,
  rememberedFormEmail,
  rememberFormEmail,
  SESSION_COOKIE,
  setSessionCookie,
} from '../sessions/session-cookies';
import { SessionsService } from '../sessions/sessions.service';
import { RegisterDto } from '../users/users.dto';
import { SignupFormDto } from './signup.dto';
import { parseSignupError, SignupErrorCode, signupPage } from './signup.page';

const logger = new Logger('SignupPage');

/** Refusals with a message of their own; any other client error is `invalid_request`. */
const INLINE_ERRORS: ReadonlyMap<ErrorCode, SignupErrorCode> = new Map([
  [ErrorCode.Conflict, 'email_taken'],
  [ErrorCode.WeakPassword, 'weak_password'],
  [ErrorCode.RateLimited, 'rate_limited'],
  [ErrorCode.CsrfFailed, 'csrf'],
]);

/** The inline message for a failed sign-up: fixed codes, the cause only in the log. */
function signupErrorCode(error: unknown): SignupErrorCode {
  const { status } = mapError(error);
  if (status >= 500) {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 'unavailable';
  }
  if (!(error instanceof KeycardError)) return 'invalid_request';
  return INLINE_ERRORS.get(error.code) ?? 'invalid_request';
}

/**
 * `GET /signup` and its form: the same account creation as `POST /auth/register` (limits,
 * checks, audit), then a browser session, as after signing in. Login CSRF (double-submit token
 * and Origin) like the sign-in form; errors come back inline with the address kept.
 */
@Public()
@UseFilters(PageExceptionFilter)
@ApiExcludeController()
@Controller('signup')
export class SignupController {
  private readonly issuerOrigin: string;

  constructor(
    private readonly registration: RegistrationService,
    private readonly sessions: SessionsService,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
  ) {
    this.issuerOrigin = new URL(config.issuer).origin;
  }

  @Get()
  async show(
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
    @Query('error') error?: string,
  ): Promise<void> {
    if (await this.sessions.resolve(readCookie(request, SESSION_COOKIE))) {
      redirectTo(response, '/account');
      return;
    }
    const code = parseSignupError(error);
    const page = signupPage({
      csrfToken: ensureLoginCsrfToken(request, response, this.config),
      error: code,
      email: code ? rememberedFormEmail(request) : undefined,
    });
    sendPage(response, page);
  }

  @Post()
  async submit(
    @Body() form: SignupFormDto,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    try {
      assertLoginCsrf(request, this.issuerOrigin);
      const input = await this.validated(form);
      const user = await this.registration.register(input, request.ip);
      const { token } = await this.sessions.start(
        user,
        { userAgent: request.headers['user-agent'], ip: request.ip },
        readCookie(request, SESSION_COOKIE),
      );
      setSessionCookie(response, token, this.config);
      clearLoginCsrfCookie(response, this.config);
      forgetFormEmail(response, '/signup', this.config);
      redirectTo(response, '/account');
    } catch (error) {
      if (typeof form.email === 'string' && form.email.length <= 254) {
        rememberFormEmail(response, '/signup', form.email, this.config);
      }
      redirectTo(response, `/signup?error=${signupErrorCode(error)}`);
    }
  }

  /** The API's own rules (`RegisterDto`): the page accepts exactly what `/auth/register` does. */
  private async validated(form: SignupFormDto): Promise<RegisterDto> {
    const input = plainToInstance(RegisterDto, {
      email: form.email,
      password: form.password,
      ...(form.name ? { name: form.name } : {}),
    });
    const problems = await validate(input);
    if (problems.length > 0) {
      throw new KeycardError(ErrorCode.ValidationFailed, { reason: 'sign-up form' });
    }
    return input;
  }
}
