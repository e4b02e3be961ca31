import { INestApplication, ValidationPipe } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { KeycardExceptionFilter } from './exception.filter';

/** Largest accepted request body; larger ones get 413 (the contract's 64 KiB). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * What every Keycard HTTP app shares, on Express or Fastify: one exception filter, strict DTO
 * validation (unknown or mistyped fields are a 400, never a 500) and graceful shutdown hooks.
 */
export function configureHttpApp(app: INestApplication): void {
  app.useGlobalFilters(new KeycardExceptionFilter(app.get(HttpAdapterHost)));
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
