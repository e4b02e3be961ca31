import { Logger, type INestApplication } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ReadinessService } from './health/readiness';

export interface GracefulShutdownOptions {
  /**
   * Time between the signal and closing the server: `/health/ready` answers 503 at once, and
   * every request is still served, so load balancers take the instance out before it stops
   * accepting connections. Default 5 s (`SHUTDOWN_DRAIN`).
   */
  drainMs?: number;
  /**
   * After the drain, time allowed to finish in-flight requests and close pools before exiting
   * with 1. Default 10 s (`SHUTDOWN_TIMEOUT`).
   */
  timeoutMs?: number;
  /**
   * Default `['SIGTERM', 'SIGINT', 'SIGHUP']`: SIGHUP (the terminal running the service closed)
   * would otherwise end the process at once, without closing pools or finishing requests.
   */
  signals?: NodeJS.Signals[];
  /** How the process ends (tests replace it). Default `process.exit`. */
  exit?: (code: number) => void;
}

type ShutdownApp = Pick<INestApplication, 'close' | 'get' | 'getHttpServer'>;

/**
 * Graceful shutdown for main.ts. On SIGTERM, SIGINT or SIGHUP:
 * 1. drain: `/health/ready` answers 503 at once while every request is still served for
 *    `drainMs`, each answer with `Connection: close`, so clients leave their kept-alive
 *    connections instead of finding them closed under a request;
 * 2. `app.close()`: Nest's shutdown hooks in their order — `onModuleDestroy`,
 *    `beforeApplicationShutdown`, the HTTP server stops (no new connections, idle ones closed,
 *    in-flight requests finish), `onApplicationShutdown` (TypeORM and Redis pools close);
 * 3. exit 0 — or 1 when closing fails or has not finished `timeoutMs` after the drain (a hung
 *    request, a stuck pool).
 * A second signal during all that takes the signal's default action: the process ends at once.
 * The signals are handled here rather than by Nest's `enableShutdownHooks`, whose listener would
 * start closing at the signal, without the drain. Returns an uninstaller.
 */
export function installGracefulShutdown(
  app: ShutdownApp,
  options: GracefulShutdownOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT', 'SIGHUP'];
  const uninstall = () => signals.forEach((signal) => process.removeListener(signal, onSignal));
  function onSignal(signal: NodeJS.Signals): void {
    uninstall();
    void shutDown(app, signal, {
      drainMs: options.drainMs ?? 5_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      exit: options.exit ?? ((code: number) => process.exit(code)),
    });
  }
  signals.forEach((signal) => process.on(signal, onSignal));
  return uninstall;
}

async function shutDown(
  app: ShutdownApp,
  signal: NodeJS.Signals,
  settings: Required<Pick<GracefulShutdownOptions, 'drainMs' | 'timeoutMs' | 'exit'>>,
): Promise<void> {
  const logger = new Logger('Shutdown');
  logger.log(`${signal}: not ready any more; serving ${settings.drainMs} ms more, then closing`);
  startDraining(app);
  await new Promise((resolve) => setTimeout(resolve, settings.drainMs));
  const deadline = setTimeout(() => {
    logger.error(`Still closing ${settings.timeoutMs} ms after the drain: exiting`);
    settings.exit(1);
  }, settings.timeoutMs);
  try {
    await app.close();
    clearTimeout(deadline);
    logger.log('Closed');
    settings.exit(0);
  } catch (error) {
    clearTimeout(deadline);
    logger.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
    settings.exit(1);
  }
}

function startDraining(app: ShutdownApp): void {
  readinessOf(app)?.startDraining();
  // First in line, before the framework's own listener answers the request.
  (app.getHttpServer() as Server | undefined)?.prependListener('request', closeAfterAnswer);
}

function readinessOf(app: ShutdownApp): ReadinessService | undefined {
  try {
    return app.get(ReadinessService, { strict: false });
  } catch {
    return undefined; // an app without ObservabilityModule: nothing to report
  }
}

function closeAfterAnswer(_request: IncomingMessage, response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('Connection', 'close');
}
