import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { RetentionService } from './retention.service';

/** The first run comes this long after start (or after one interval, when that is shorter). */
export const FIRST_RUN_DELAY_MS = 60_000;

/**
 * Runs the retention job every `RETENTION_INTERVAL`, the first time shortly after start. The
 * timers never keep a process alive (a CLI command, a test) and stop at shutdown, which waits for
 * a run in progress to end after its current statement.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private first?: NodeJS.Timeout;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly retention: RetentionService,
    @Inject(authConfig.KEY) private readonly config: Pick<AuthSettings, 'retention'>,
  ) {}

  onApplicationBootstrap(): void {
    const intervalMs = this.config.retention.interval * 1000;
    this.first = setTimeout(
      () => void this.retention.run(),
      Math.min(FIRST_RUN_DELAY_MS, intervalMs),
    );
    this.timer = setInterval(() => void this.retention.run(), intervalMs);
    this.first.unref();
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.first);
    clearInterval(this.timer);
    this.first = this.timer = undefined;
    await this.retention.stop();
  }
}
