import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { RetentionService } from './retention.service';
import { RETENTION_SETTINGS, RetentionSettings } from './retention-settings';

/**
 * The first run comes this long after start (or one interval, when that is shorter), the next ones
 * every interval after it.
 */
export const FIRST_RUN_DELAY_MS = 60_000;

/**
 * Runs the retention job shortly after start, then every `RETENTION_INTERVAL`. The timers stop at
 * shutdown, which waits for a run in progress to end after its current statement.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private first?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly retention: RetentionService,
    @Inject(RETENTION_SETTINGS) private readonly settings: RetentionSettings,
  ) {}

  onApplicationBootstrap(): void {
    const intervalMs = this.settings.interval * 1000;
    // Timers never keep a process alive (a CLI command, a test).
    this.first = setTimeout(
      () => {
        this.timer = setInterval(() => void this.retention.run(), intervalMs);
        this.timer.unref();
        void this.retention.run();
      },
      Math.min(FIRST_RUN_DELAY_MS, intervalMs),
    );
    this.first.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.first);
    clearInterval(this.timer);
    this.first = this.timer = undefined;
    await this.retention.stop();
  }
}
