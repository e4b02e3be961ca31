import type { INestApplication, LoggerService } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/**
 * Nest contexts whose start-up lines (a module initialised, a route mapped: sixty of them for the
 * auth-service) are wiring detail, written at debug so that `info` shows what an operator reads.
 */
const WIRING_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** Nest's logger calls, passed to pino, with Nest's wiring lines moved from info to debug. */
export class StructuredNestLogger implements LoggerService {
  constructor(private readonly pino: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && WIRING_CONTEXTS.has(context)) {
      this.pino.debug?.(message, ...rest);
      return;
    }
    this.pino.log(message, ...rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.pino.error(message, ...rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.pino.warn(message, ...rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.pino.debug?.(message, ...rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.pino.verbose?.(message, ...rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.pino.fatal?.(message, ...rest);
  }
}

/**
 * Makes Nest's own logger write through pino (JSON, with the request id inside a request), then
 * prints what was buffered during start-up. Create the app with `{ bufferLogs: true }` so the
 * start-up lines are not printed twice in two formats. Route mapping and module initialisation go
 * to debug.
 */
export function useStructuredLogger(app: INestApplication): void {
  app.useLogger(new StructuredNestLogger(app.get(Logger)));
  app.flushLogs();
}
