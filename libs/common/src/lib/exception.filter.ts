import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { isDependencyFailure, isUnstorableText } from './dependency-failure';
import { ErrorCode, KeycardError, defaultMessageOf, isOAuthCode } from './errors';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  [extra: string]: unknown;
}

interface Mapped {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.BadRequest,
  401: ErrorCode.MissingCredentials,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  413: ErrorCode.PayloadTooLarge,
  429: ErrorCode.RateLimited,
};

/** Framework and parser errors (body-parser, Fastify) that carry a client-error status. */
function clientStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate =
    (error as { status?: unknown; statusCode?: unknown }).statusCode ??
    (error as { status?: unknown }).status;
  return typeof candidate === 'number' && candidate >= 400 && candidate < 500
    ? candidate
    : undefined;
}

function genericBody(status: number): ErrorBody {
  const code = CODE_BY_STATUS[status];
  return {
    statusCode: status,
    error: code ?? 'client_error',
    message: code ? defaultMessageOf(code) : 'Request rejected',
  };
}

const DEPENDENCY_UNAVAILABLE = new KeycardError(ErrorCode.DependencyUnavailable, {
  headers: { 'Retry-After': '5' },
});
/** PostgreSQL could not take a request's text as it is (U+0000, see `isUnstorableText`). */
const UNSTORABLE_TEXT = new KeycardError(ErrorCode.ValidationFailed, {
  message: ['text must not contain the character U+0000'],
});

export function mapError(error: unknown): Mapped {
  if (error instanceof KeycardError) {
    return {
      status: error.status,
      headers: error.headers,
      body: {
        ...error.details,
        statusCode: error.status,
        error: error.code,
        message: error.publicMessage,
        ...(isOAuthCode(error.code) ? { error_description: String(error.publicMessage) } : {}),
      },
    };
  }
  if (error instanceof HttpException && error.getStatus() < 500) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response !== null && 'message' in response
        ? (response as { message: string | string[] }).message
        : error.message;
    const code =
      status === HttpStatus.BAD_REQUEST && Array.isArray(message)
        ? ErrorCode.ValidationFailed
        : CODE_BY_STATUS[status];
    return {
      status,
      headers: {},
      body: { statusCode: status, error: code ?? 'client_error', message },
    };
  }
  const clientStatus = clientStatusOf(error);
  if (clientStatus !== undefined) {
    return { status: clientStatus, headers: {}, body: genericBody(clientStatus) };
  }
  if (isUnstorableText(error)) return mapError(UNSTORABLE_TEXT);
  // The database or Redis is down or too slow: the client may retry, it is not a bug (500).
  if (isDependencyFailure(error)) return mapError(DEPENDENCY_UNAVAILABLE);
  return {
    status: 500,
    headers: {},
    body: {
      statusCode: 500,
      error: ErrorCode.Internal,
      message: defaultMessageOf(ErrorCode.Internal),
    },
  };
}

/**
 * Told of every error the filter answers, with the status it mapped to (e.g. to count refused
 * credentials and 429s in metrics, including those thrown by guards). Must be cheap and not throw.
 */
export type ErrorObserver = (error: unknown, status: number) => void;

/**
 * The one place errors become HTTP responses, on Express and Fastify alike: JSON bodies with
 * `statusCode`, `error` (a stable code) and a generic `message`. Causes go to the log only, never
 * to the client: no stack trace, SQL or secret can leak through a response body.
 */
@Catch()
export class KeycardExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly observe?: ErrorObserver,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const ctx = host.switchToHttp();
    const response = ctx.getResponse();
    const { status, body, headers } = mapError(error);
    this.observe?.(error, status);
    if (status >= 500) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    } else if (error instanceof KeycardError && error.reason) {
      this.logger.debug(`${error.code}: ${error.reason}`);
    }
    if (httpAdapter.isHeadersSent(response)) return;
    for (const [name, value] of Object.entries(headers))
      httpAdapter.setHeader(response, name, value);
    httpAdapter.reply(response, body, status);
  }
}
