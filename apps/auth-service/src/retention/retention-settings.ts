import type { Env } from '@keycard/common';
import { envDuration, envFraction, envInt } from '@keycard/common';

/** The retention job's settings (durations in seconds). */
export interface RetentionSettings {
  /** `RETENTION_INTERVAL`: time between two runs; the first runs shortly after start. */
  interval: number;
  /** `AUDIT_RETENTION`: audit events older than this are deleted. */
  auditRetention: number;
  /** `RETENTION_BATCH_SIZE`: rows removed by one statement; the job yields between statements. */
  batchSize: number;
  /**
   * `RETENTION_DUTY_CYCLE`: the share of a run's time spent on statements (0.01–1). After each
   * batch the job rests for as long as keeps it there: at 0.25, three times the batch's time.
   */
  dutyCycle: number;
}

/** Injection token of the `RetentionSettings` (provided at the root, `app/settings.module.ts`). */
export const RETENTION_SETTINGS = Symbol('RETENTION_SETTINGS');

/** Parses the retention settings (`RETENTION_INTERVAL`, `AUDIT_RETENTION`, `RETENTION_BATCH_SIZE`,
 * `RETENTION_DUTY_CYCLE`). */
export function loadRetentionSettings(env: Env): RetentionSettings {
  return {
    interval: envDuration(env, 'RETENTION_INTERVAL', '1h', 60, 86_400),
    auditRetention: envDuration(env, 'AUDIT_RETENTION', '90d', 86_400),
    batchSize: envInt(env, 'RETENTION_BATCH_SIZE', 1000, 1, 10_000),
    dutyCycle: envFraction(env, 'RETENTION_DUTY_CYCLE', 0.25, 0.01, 1),
  };
}
