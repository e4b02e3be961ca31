import { ConfigError } from './env';

/**
 * Runs an app's start-up and turns a configuration problem into one clear line on stderr and
 * exit code 1, instead of a stack trace.
 */
export function runMain(start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
    } else {
      process.stderr.write(
        `Start-up failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
    process.exit(1);
  });
}
