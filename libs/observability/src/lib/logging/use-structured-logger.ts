import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/**
 * Makes Nest's own logger write through pino (JSON, with the request id inside a request), then
 * prints what was buffered during start-up. Create the app with `{ bufferLogs: true }` so the
 * start-up lines are not printed twice in two formats.
 */
export function useStructuredLogger(app: INestApplication): void {
  app.useLogger(app.get(Logger));
  app.flushLogs();
}
