import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';

/**
 * Work a request starts and does not wait for: the lookups and mail of `forgot` and `resend`
 * happen after the 202, so the answer takes the same time whether or not the address has an
 * account. A failure is logged, never answered. Shutdown (and a test) waits for what is running.
 */
@Injectable()
export class AccountBackground implements OnModuleDestroy {
  private readonly logger = new Logger('AccountMail');
  private readonly running = new Set<Promise<void>>();

  /** Starts `work` once the current request has been answered (the next turn of the event loop). */
  run(label: string, work: () => Promise<void>): void {
    const task: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: unknown) => {
        this.logger.error(
          `${label} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  /** Resolves when nothing started so far is still running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  onModuleDestroy(): Promise<void> {
    return this.idle();
  }
}
