import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { mapError } from '@keycard/common';
import { errorPage } from './error.page';
import { errorPageFor } from './page-errors';
import { redirectTo, sendPage } from './page-response';

const logger = new Logger('Pages');

/** Renders an error of an HTML route as a page; a missing or ended session goes to `/login`. */
export function renderPageError(error: unknown, response: FastifyReply): void {
  if (response.sent) return;
  const { status, headers } = mapError(error);
  if (status === 401) {
    redirectTo(response, '/login');
    return;
  }
  if (status >= 500)
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  response.headers(headers);
  sendPage(response, errorPage(errorPageFor(error, status)), status);
}

/** For page controllers: errors are always a page, never raw JSON. */
@Catch()
export class PageExceptionFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    renderPageError(error, host.switchToHttp().getResponse<FastifyReply>());
  }
}
