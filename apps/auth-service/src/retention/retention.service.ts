import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { authConfig, AuthSettings } from '../config/auth.config';
import { RETENTION_SETTINGS, RetentionSettings } from './retention-settings';
import {
  RETENTION_RULES,
  RETENTION_TABLES,
  RetentionCutoffs,
  RetentionRule,
  RetentionTable,
  SETTLE_MS,
} from './retention-rules';

/** `pg_try_advisory_lock` key held by the instance running the job (migrations hold 7_301_001). */
export const AUTH_RETENTION_LOCK = 7_301_002;

/** `done`: ran; `busy`: this instance is already running it; `locked`: another instance is. */
export type RetentionOutcome = 'done' | 'busy' | 'locked' | 'failed';

export interface RetentionReport {
  outcome: RetentionOutcome;
  deleted: Record<RetentionTable, number>;
  /** Delete statements run. */
  batches: number;
  /** Time spent on the batches' statements, and resting between them (`RETENTION_DUTY_CYCLE`). */
  busyMs: number;
  restedMs: number;
}

const METRIC = 'keycard_retention_rows_deleted_total';

/**
 * Deletes what no request can use any more (`RETENTION_RULES`), `RETENTION_BATCH_SIZE` rows per
 * statement, so neither a request nor a lock waits long behind it, and rests after each batch so
 * that its statements take `RETENTION_DUTY_CYCLE` of the run's time (a quarter by default): a
 * run through a million expired rows shares the database and the service's CPU with requests
 * instead of taking them over. On PostgreSQL one instance at a time runs it (a session-level
 * `pg_try_advisory_lock`: the others skip the run); SQLite has a single instance.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);
  private readonly rowsDeleted: Counter<'table'>;
  private current?: Promise<RetentionReport>;
  private stopping = false;
  /** Ends the rest in progress at once (set while the job rests). */
  private wake?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly config: Pick<AuthSettings, 'refreshReuseInterval'>,
    @Inject(RETENTION_SETTINGS) private readonly settings: RetentionSettings,
    metrics: KeycardMetrics,
  ) {
    this.rowsDeleted = retentionCounter(metrics);
  }

  /** One run; never throws (a failure is logged and the next run tries again). */
  async run(): Promise<RetentionReport> {
    if (this.current) return report('busy');
    this.current = this.runOnce();
    try {
      return await this.current;
    } finally {
      this.current = undefined;
    }
  }

  /** Makes a run in progress stop after its current statement, and waits for it (shutdown). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.current;
  }

  private async runOnce(): Promise<RetentionReport> {
    const started = Date.now();
    try {
      const result = await this.runExclusively();
      this.logRun(result, Date.now() - started);
      return result;
    } catch (error) {
      this.logger.error(
        `Retention run failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return report('failed');
    }
  }

  private async runExclusively(): Promise<RetentionReport> {
    if (this.dataSource.options.type !== 'postgres') return this.purgeAll(this.dataSource.manager);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [row] = (await runner.query('SELECT pg_try_advisory_lock($1) AS "locked"', [
        AUTH_RETENTION_LOCK,
      ])) as { locked: boolean }[];
      if (!row.locked) return report('locked');
      try {
        return await this.purgeAll(runner.manager);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [AUTH_RETENTION_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  private async purgeAll(manager: EntityManager): Promise<RetentionReport> {
    const now = this.clock.now();
    const settleMs = Math.max(SETTLE_MS, this.config.refreshReuseInterval * 1000);
    const cutoffs: RetentionCutoffs = {
      now,
      settled: now - settleMs,
      auditBefore: now - this.settings.auditRetention * 1000,
    };
    const result = report('done');
    for (const rule of RETENTION_RULES) {
      if (this.stopping) break;
      await this.purge(manager, rule, cutoffs, result);
    }
    return result;
  }

  /**
   * Deletes the rows of one rule, a batch per statement (see `RetentionWalk`), until none is left.
   * A batch of matches of which none could be deleted (they changed meanwhile) ends the rule for
   * this run rather than be selected again.
   */
  private async purge(
    manager: EntityManager,
    rule: RetentionRule,
    cutoffs: RetentionCutoffs,
    result: RetentionReport,
  ): Promise<void> {
    const size = this.settings.batchSize;
    let after: string | undefined;
    while (!this.stopping) {
      const started = performance.now();
      const batch = await this.selectBatch(manager, rule, cutoffs, after, size);
      if (batch.keys.length === 0) return;
      const deleted = await manager
        .createQueryBuilder()
        .delete()
        .from(rule.table)
        .where(`"${rule.key}" IN (:...keys)`, { keys: batch.keys })
        .andWhere(`(${rule.where})`, cutoffs) // still true: nothing came back to life meanwhile
        .execute();
      const count = deleted.affected ?? 0;
      result.deleted[rule.table] += count;
      result.batches += 1;
      this.rowsDeleted.inc({ table: rule.table }, count);
      const busy = performance.now() - started;
      result.busyMs += busy;
      if (batch.keys.length < size || (count === 0 && rule.walk !== 'window')) return;
      after = batch.last;
      const rest = busy * (1 / this.settings.dutyCycle - 1);
      result.restedMs += rest;
      await this.rest(rest);
    }
  }

  /** Waits `ms` (at least a turn of the event loop); `stop` ends the wait at once. */
  private rest(ms: number): Promise<void> {
    if (ms < 1) return new Promise<void>((resolve) => setImmediate(resolve));
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wake = wake;
    });
  }

  /** The keys of the next batch, and where the walk goes on from (see `RetentionWalk`). */
  private async selectBatch(
    manager: EntityManager,
    rule: RetentionRule,
    cutoffs: RetentionCutoffs,
    after: string | undefined,
    size: number,
  ): Promise<{ keys: string[]; last?: string }> {
    const sql = batchQuery(rule, after !== undefined, size);
    const [query, parameters] = manager.connection.driver.escapeQueryWithParameters(sql, {
      ...cutoffs,
      after,
    });
    const rows = (await manager.query(query, parameters)) as { key: string; walked: string }[];
    return { keys: rows.map((row) => row.key), last: rows.at(-1)?.walked };
  }

  private logRun(result: RetentionReport, elapsedMs: number): void {
    if (result.outcome === 'locked') {
      this.logger.log('Retention run skipped: another instance holds the lock');
      return;
    }
    const counts = RETENTION_TABLES.map((table) => `${table}=${result.deleted[table]}`).join(' ');
    this.logger.log(
      `Retention run deleted ${counts} in ${elapsedMs} ms ` +
        `(${Math.round(result.busyMs)} ms on statements, ${Math.round(result.restedMs)} ms resting)`,
    );
  }
}

/**
 * The SELECT of one batch: its keys, and the value its walk goes on from (`:after`, once a batch
 * has run). A range walk goes on from the last row's value included, since rows may share it (the
 * rows already deleted are gone from it); a window walk from the last key excluded.
 */
export function batchQuery(rule: RetentionRule, resumes: boolean, size: number): string {
  const key = `"${rule.key}"`;
  const walk = rule.walk ?? 'index';
  if (walk === 'index')
    return `SELECT ${key} AS "key", ${key} AS "walked" FROM "${rule.table}" WHERE (${rule.where}) LIMIT ${size}`;
  if (walk === 'window') {
    const from = resumes ? ` WHERE ${key} > :after` : '';
    return `SELECT ${key} AS "key", ${key} AS "walked" FROM "${rule.table}"${from} ORDER BY ${key} LIMIT ${size}`;
  }
  const column = `"${walk.range}"`;
  const from = resumes ? ` AND ${column} >= :after` : '';
  return `SELECT ${key} AS "key", ${column} AS "walked" FROM "${rule.table}" WHERE (${rule.where})${from} ORDER BY ${column} LIMIT ${size}`;
}

function report(outcome: RetentionOutcome): RetentionReport {
  const deleted = Object.fromEntries(RETENTION_TABLES.map((table) => [table, 0])) as Record<
    RetentionTable,
    number
  >;
  return { outcome, deleted, batches: 0, busyMs: 0, restedMs: 0 };
}

/** `keycard_retention_rows_deleted_total{table}`, once per registry, every table at 0 from the start. */
function retentionCounter(metrics: KeycardMetrics): Counter<'table'> {
  const existing = metrics.registry.getSingleMetric(METRIC);
  if (existing) return existing as Counter<'table'>;
  const counter = new Counter({
    name: METRIC,
    help: 'Rows deleted by the retention job, by table.',
    labelNames: ['table'],
    registers: [metrics.registry],
  });
  for (const table of RETENTION_TABLES) counter.inc({ table }, 0);
  return counter;
}
