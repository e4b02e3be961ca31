import { ArgumentsHost, Catch, ExceptionFilter, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from '@keycard/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { renderPageError } from '../web/page-exception.filter';
import { rememberReturnPath } from '../sessions/return-path';

/**
 * The pages' error handling (`renderPageError`), plus: a console page opened without a session
 * is remembered, so that signing in on `/login` comes back to it rather than to `/account`.
 */
@Catch()
export class ConsoleExceptionFilter implements ExceptionFilter {
  constructor(@Inject(authConfig.KEY) private readonly config: AuthSettings) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const response = http.getResponse<FastifyReply>();
    if (!response.sent && request.method === 'GET' && mapError(error).status === 401) {
      rememberReturnPath(response, request.url, this.config);
    }
    renderPageError(error, response);
  }
}
