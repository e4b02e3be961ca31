import { INestApplication, ValidationPipe } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ErrorObserver, KeycardExceptionFilter } from './exception.filter';

/** Largest accepted request body; larger ones get 413 (the contract's 64 KiB). */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface HttpAppOptions {
  /** Sees every error the exception filter answers (metrics). */
  observeErrors?: ErrorObserver;
}

/**
 * What every Keycard HTTP app shares, on Express or Fastify: one exception filter, strict DTO
 * validation (unknown or mistyped fields are a 400, never a 500) and graceful shutdown hooks.
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions = {}): void {
  app.useGlobalFilters(new KeycardExceptionFilter(app.get(HttpAdapterHost), options.observeErrors));
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
    }),
  );
  app.enableShutdownHooks();
}
