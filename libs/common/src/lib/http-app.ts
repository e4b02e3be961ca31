import type { INestApplication, ValidationPipeOptions } from '@nestjs/common';
import { ValidationPipe } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ErrorObserver } from './exception.filter';
import { KeycardExceptionFilter } from './exception.filter';
import { validationException } from './validation-messages';

/** Largest accepted request body; larger ones get 413 (the contract's 64 KiB). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** Strict DTO validation: unknown or mistyped fields are a 400, never a 500. */
export const KEYCARD_VALIDATION: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: false,
  // Nest's messages, plus "did you mean" for a misspelt field (`role` → `roles`): the hint needs
  // the DTO (`target`), never the submitted values, which stay out of every answer.
  validationError: { target: true, value: false },
  exceptionFactory: validationException,
};

export interface HttpAppOptions {
  /** Sees every error the exception filter answers (metrics). */
  observeErrors?: ErrorObserver;
}

/**
 * What every Keycard HTTP app shares, on Express or Fastify: one exception filter and strict DTO
 * validation (one global ValidationPipe: every `@Body()`, `@Query()` and `@Param()` DTO of every
 * controller, none forgotten). Signals are main.ts's: `installGracefulShutdown`
 * (`@keycard/observability`) drains, then closes the app, which runs Nest's shutdown hooks.
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions = {}): void {
  app.useGlobalFilters(new KeycardExceptionFilter(app.get(HttpAdapterHost), options.observeErrors));
  app.useGlobalPipes(new ValidationPipe(KEYCARD_VALIDATION));
}
