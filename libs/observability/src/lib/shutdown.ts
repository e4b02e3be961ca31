import { Logger, type INestApplication } from '@nestjs/common';

export interface GracefulShutdownOptions {
  /** Time allowed to finish in-flight requests and close pools before exiting with 1. Default 10 s. */
  timeoutMs?: number;
  /** Default `['SIGTERM', 'SIGINT']`. */
  signals?: NodeJS.Signals[];
  /** How the process ends when the timeout passes (tests replace it). Default `process.exit`. */
  exit?: (code: number) => void;
}

/**
 * Graceful shutdown for main.ts. On SIGTERM/SIGINT, Nest's shutdown hooks (enabled here, and
 * already by `configureHttpApp`) run `onModuleDestroy`, stop the HTTP server (no new
 * connections; in-flight requests finish), then `onApplicationShutdown` (TypeORM and Redis
 * pools close), and end the process. This adds the deadline: if that has not finished within
 * `timeoutMs` (a hung request, a stuck pool), the process exits with 1. Returns an uninstaller.
 */
export function installGracefulShutdown(
  app: Pick<INestApplication, 'enableShutdownHooks'>,
  options: GracefulShutdownOptions = {},
): () => void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  app.enableShutdownHooks(signals);
  const uninstall = () => signals.forEach((signal) => process.removeListener(signal, onSignal));
  function onSignal(signal: NodeJS.Signals): void {
    // Removed at once: when Nest re-raises the signal after closing, no listener may remain, so
    // the default action ends the process.
    uninstall();
    const timer = setTimeout(() => {
      new Logger('Shutdown').error(`Still shutting down ${timeoutMs} ms after ${signal}: exiting`);
      exit(1);
    }, timeoutMs);
    // The deadline alone must not keep the process alive once everything has closed.
    timer.unref();
  }
  signals.forEach((signal) => process.on(signal, onSignal));
  return uninstall;
}
