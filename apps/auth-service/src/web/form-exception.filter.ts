import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from '@keycard/common';
import { isFormPost } from './http-request';
import { redirectTo } from './page-response';
import { renderPageError } from './page-exception.filter';

const logger = new Logger('SessionForms');

/**
 * Where a failed form post goes back to (a 303, so a reload never re-posts): the form's page with
 * an error code in the query, chosen from the error, its HTTP status and the request.
 */
export type FormErrorRedirect = (
  error: unknown,
  status: number,
  request: Pick<FastifyRequest, 'headers'>,
) => string;

function logServerError(error: unknown, status: number): void {
  if (status >= 500)
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
}

/** The global filter's JSON answer, for the JSON clients of the same routes. */
function sendJson(error: unknown, response: FastifyReply): void {
  const { status, body, headers } = mapError(error);
  logServerError(error, status);
  void response.status(status).headers(headers).send(body);
}

/**
 * For routes that serve HTML forms and JSON clients alike (`/session/login`, `/session/logout`):
 * a JSON request gets the usual JSON error; a form post gets HTML — a redirect back to the form
 * (`target` a {@link FormErrorRedirect}) or an error page (`target: 'page'`).
 */
@Catch()
export class FormExceptionFilter implements ExceptionFilter {
  constructor(private readonly target: 'page' | FormErrorRedirect) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    if (response.sent) return;
    if (!isFormPost(request)) {
      sendJson(error, response);
      return;
    }
    if (this.target === 'page') {
      renderPageError(error, response);
      return;
    }
    const { status } = mapError(error);
    logServerError(error, status);
    redirectTo(response, this.target(error, status, request));
  }
}
