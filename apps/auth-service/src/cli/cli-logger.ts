import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/**
 * The logger of command-line runs: warnings and errors only, plain text, all on stderr, so that
 * stdout carries the command's answer alone (`create-client … | jq`, `promote-admin … > out`).
 */
export class CliLogger extends ConsoleLogger {
  constructor() {
    super({ logLevels: ['error', 'warn', 'fatal'], colors: false });
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}
