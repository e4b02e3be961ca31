import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, KeycardError, mapError } from '@keycard/common';
import { isFormPost } from '../sessions/http-request';
import { LoginErrorCode } from './login.page';
import { redirectTo } from './page-response';
import { renderPageError } from './page-exception.filter';

const logger = new Logger('SessionForms');

function loginErrorCode(error: unknown, status: number): LoginErrorCode {
  if (error instanceof KeycardError) {
    if (error.code === ErrorCode.InvalidCredentials) return 'invalid_credentials';
    if (error.code === ErrorCode.RateLimited) return 'rate_limited';
    if (error.code === ErrorCode.CsrfFailed) return 'csrf';
    if (error.code === ErrorCode.EmailNotVerified) return 'email_not_verified';
  }
  return status >= 500 ? 'unavailable' : 'invalid_request';
}

function retryAfterOf(error: unknown): number | undefined {
  const value = error instanceof KeycardError ? error.details['retryAfter'] : undefined;
  return typeof value === 'number' ? value : undefined;
}

/** Sign-in form errors: back to `/login` (303) with a fixed error code, so a reload never re-posts. */
function redirectToLogin(error: unknown, response: FastifyReply, status: number): void {
  const code = loginErrorCode(error, status);
  const retry = code === 'rate_limited' ? retryAfterOf(error) : undefined;
  redirectTo(response, `/login?error=${code}${retry === undefined ? '' : `&retry=${retry}`}`);
}

/** The global filter's JSON answer, for the JSON clients of the same routes. */
function sendJson(error: unknown, response: FastifyReply): void {
  const { status, body, headers } = mapError(error);
  if (status >= 500)
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  void response.status(status).headers(headers).send(body);
}

/**
 * For `/session/login` and `/session/logout`, which serve HTML forms and JSON clients alike: a
 * JSON request gets the usual JSON error; a form post gets HTML — the sign-in page with an inline
 * error (`target: 'login'`) or an error page.
 */
@Catch()
export class FormExceptionFilter implements ExceptionFilter {
  constructor(private readonly target: 'login' | 'page') {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<FastifyReply>();
    if (response.sent) return;
    if (!isFormPost(http.getRequest<FastifyRequest>())) {
      sendJson(error, response);
      return;
    }
    if (this.target === 'page') {
      renderPageError(error, response);
      return;
    }
    const { status } = mapError(error);
    if (status >= 500)
      logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    redirectToLogin(error, response, status);
  }
}
