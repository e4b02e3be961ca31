import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { AuditEventType, SYSTEM_ACTOR } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { authConfig, AuthSettings } from '../config/auth.config';
import { KeysService } from './keys.service';
import { SigningKeyStore } from './signing-key.store';

/** How often to check: a tenth of the rotation interval, between 30 s and one hour. */
export function rotationCheckIntervalMs(keyRotationInterval: number): number {
  return Math.min(3600, Math.max(30, keyRotationInterval / 10)) * 1000;
}

export type TickOutcome = 'rotated' | 'not-due' | 'busy' | 'postponed' | 'failed';

/**
 * Rotates the keys when the active key is older than `KEY_ROTATION_INTERVAL` (`KEY_ROTATION_INTERVAL`
 * plus at most one check interval), and prunes expired retiring keys. Several instances may run it:
 * the rotation is conditional on the active key it judged too old, so only one of them rotates.
 */
@Injectable()
export class KeyRotationScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(KeyRotationScheduler.name);
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly keys: KeysService,
    private readonly store: SigningKeyStore,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
    private readonly audit: AuditService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.tick(),
      rotationCheckIntervalMs(this.config.keyRotationInterval),
    );
    // A timer must never keep a CLI command or a test process alive.
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One check; never throws (failures are logged and retried at the next check). */
  async tick(): Promise<TickOutcome> {
    if (this.running) return 'busy';
    this.running = true;
    try {
      await this.keys.prune();
      const active = await this.store.rows.findByStatus('active');
      if (!active || !this.isDue(active.activatedAt ?? active.createdAt)) return 'not-due';
      const rotation = await this.keys.rotate({ ifActive: active.kid });
      void this.audit.record({
        type: AuditEventType.KeysRotated,
        outcome: 'success',
        actor: SYSTEM_ACTOR,
        subjectId: rotation.active.kid,
        details: { scheduled: true, retiring: rotation.retiring.kid, next: rotation.next.kid },
      });
      return 'rotated';
    } catch (error) {
      return this.report(error);
    } finally {
      this.running = false;
    }
  }

  private isDue(activatedAt: number): boolean {
    return this.clock.now() - activatedAt >= this.config.keyRotationInterval * 1000;
  }

  private report(error: unknown): TickOutcome {
    if (
      error instanceof KeycardError &&
      (error.code === ErrorCode.TooEarly || error.code === ErrorCode.Conflict)
    ) {
      this.logger.log(`Scheduled key rotation postponed: ${String(error.publicMessage)}`);
      return 'postponed';
    }
    this.logger.error(
      `Scheduled key rotation failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 'failed';
  }
}
