import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Clock } from '@keycard/common';
import { API_KEY_SETTINGS, ApiKeySettings } from './api-key-settings';
import { KeyLife, USAGE_CLOCK_SKEW_MS, usageBound } from './api-key-usage-bound';
import { ApiKeyUsageEntity } from './api-key-usage.entity';
import { ApiKeyEntity } from './api-key.entity';
import type { ApiKeyUsageDay } from './api-key-views';

/** One line of a resource service's batched report: requests made with a key on one UTC day. */
export interface ApiKeyUsageReport {
  keyId: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  count: number;
  /** ISO 8601: the last request seen with this key. */
  lastUsedAt: string;
}

/** Days of usage returned for one key (about a year). */
export const USAGE_DAYS_SHOWN = 366;
/** Rows per upsert statement: 3 parameters each, well under every driver's parameter limit. */
const UPSERT_CHUNK = 250;

interface DayCount {
  keyId: string;
  day: string;
  count: number;
}

/**
 * Usage counts and `last_used_at`, fed by batched reports instead of a database write per request.
 * Both writes are single atomic statements (no transaction, so SQLite's one connection is fine):
 * counts are added by an upsert, and `last_used_at` only ever moves forward.
 *
 * A key's count for a day never exceeds what its rate limit allows in the part of that day the
 * key existed (`usageBound`): the upsert clamps the sum there, so neither one report nor many
 * can push it higher. Excess is dropped with a warning rather than refused with a 400, because a
 * reporter drops a whole refused batch (good lines with the bad), and because only the stored sum
 * shows whether the bound is passed.
 */
@Injectable()
export class ApiKeyUsageService {
  private readonly logger = new Logger(ApiKeyUsageService.name);

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    @InjectRepository(ApiKeyUsageEntity) private readonly usage: Repository<ApiKeyUsageEntity>,
    @Inject(API_KEY_SETTINGS) private readonly settings: Pick<ApiKeySettings, 'defaultRateLimit'>,
    private readonly clock: Clock,
  ) {}

  /**
   * Adds a batch of reports from the client `reporter`; lines for unknown keys, and for days the
   * key did not exist, are ignored, and counts are clamped to the key's bound (see the class).
   */
  async record(reports: readonly ApiKeyUsageReport[], reporter = 'unknown'): Promise<void> {
    const now = this.clock.now();
    const { counts, lastUsed } = this.aggregate(reports, now);
    const known = await this.knownKeys([...new Set(counts.map((row) => row.keyId))]);
    for (const [bound, rows] of this.byBound(counts, known, now, reporter)) {
      for (let start = 0; start < rows.length; start += UPSERT_CHUNK) {
        await this.addCounts(rows.slice(start, start + UPSERT_CHUNK), bound);
      }
    }
    for (const [keyId, at] of lastUsed) {
      const key = known.get(keyId);
      // A use from before the key existed (beyond the clock skew) is not one.
      if (key !== undefined && at >= key.createdAt - USAGE_CLOCK_SKEW_MS)
        await this.moveLastUsed(keyId, at);
    }
  }

  /**
   * The lines of known keys with requests, each clamped to its bound and grouped by it (one group
   * per rate limit and partial day: a handful), so that one statement clamps with one parameter.
   * Lines over their bound are logged.
   */
  private byBound(
    counts: DayCount[],
    known: Map<string, KeyLife>,
    now: number,
    reporter: string,
  ): Map<number, DayCount[]> {
    const groups = new Map<number, DayCount[]>();
    const excess: string[] = [];
    for (const row of counts) {
      const key = known.get(row.keyId);
      if (key === undefined || row.count <= 0) continue;
      const bound = usageBound(key, row.day, now, this.settings.defaultRateLimit);
      if (row.count > bound) excess.push(`${row.keyId}/${row.day}: ${row.count} > ${bound}`);
      if (bound === 0) continue;
      const group = groups.get(bound) ?? [];
      group.push({ ...row, count: Math.min(row.count, bound) });
      groups.set(bound, group);
    }
    if (excess.length > 0) this.warnExcess(reporter, excess);
    return groups;
  }

  /** The most recent days with usage, oldest first. */
  async daysOf(keyId: string): Promise<ApiKeyUsageDay[]> {
    const rows = await this.usage.find({
      where: { keyId },
      order: { day: 'DESC' },
      take: USAGE_DAYS_SHOWN,
    });
    return rows.reverse().map(({ day, count }) => ({ day, count }));
  }

  /**
   * Sums lines of the same key and day (one statement may not touch a row twice on PostgreSQL) and
   * keeps the latest use per key, never later than now: a reporter's fast clock must not pin
   * `last_used_at` in the future.
   */
  private aggregate(
    reports: readonly ApiKeyUsageReport[],
    now: number,
  ): {
    counts: DayCount[];
    lastUsed: Map<string, number>;
  } {
    const counts = new Map<string, DayCount>();
    const lastUsed = new Map<string, number>();
    for (const report of reports) {
      const slot = `${report.keyId}/${report.day}`;
      const row = counts.get(slot) ?? { keyId: report.keyId, day: report.day, count: 0 };
      row.count += report.count;
      counts.set(slot, row);
      const at = Math.min(Date.parse(report.lastUsedAt), now);
      if (Number.isFinite(at)) {
        lastUsed.set(report.keyId, Math.max(at, lastUsed.get(report.keyId) ?? 0));
      }
    }
    return { counts: [...counts.values()], lastUsed };
  }

  /** The keys among `ids` that exist, with what their usage bound needs. */
  private async knownKeys(ids: string[]): Promise<Map<string, KeyLife>> {
    if (ids.length === 0) return new Map();
    const rows = await this.keys.find({
      select: { id: true, createdAt: true, rateLimit: true },
      where: { id: In(ids) },
    });
    return new Map(rows.map((row) => [row.id, row]));
  }

  /**
   * One `INSERT … ON CONFLICT DO UPDATE`: atomic on SQLite and PostgreSQL alike. Every row's
   * count is at most `bound`, and the sum with what is stored is clamped to it.
   */
  private async addCounts(rows: DayCount[], bound: number): Promise<void> {
    const driver = this.usage.manager.connection.driver;
    const params: (string | number)[] = [];
    const param = (value: string | number): string => {
      params.push(value);
      return driver.createParameter(`p${params.length}`, params.length - 1);
    };
    const values = rows.map(
      (row) => `(${[row.keyId, row.day, row.count].map((value) => param(value)).join(', ')})`,
    );
    const sum = '"api_key_usage"."count" + excluded."count"';
    await this.usage.query(
      `INSERT INTO "api_key_usage" ("key_id", "day", "count") VALUES ${values.join(', ')} ` +
        `ON CONFLICT ("key_id", "day") DO UPDATE SET "count" = ` +
        `CASE WHEN ${sum} > ${param(bound)} THEN ${param(bound)} ELSE ${sum} END`,
      params,
    );
  }

  /** One line per report with excess (at most a few keys named): forged or miscounted usage. */
  private warnExcess(reporter: string, excess: string[]): void {
    const shown = excess.slice(0, 5).join('; ');
    const more = excess.length > 5 ? ` and ${excess.length - 5} more` : '';
    this.logger.warn(
      `usage report from client ${reporter} exceeds what the keys' rate limits allow; ` +
        `clamped: ${shown}${more}`,
    );
  }

  /** Conditional, so an older report arriving late never moves `last_used_at` back. */
  private async moveLastUsed(keyId: string, at: number): Promise<void> {
    await this.keys
      .createQueryBuilder()
      .update()
      .set({ lastUsedAt: at })
      .where('id = :keyId AND (last_used_at IS NULL OR last_used_at < :at)', { keyId, at })
      .execute();
  }
}
