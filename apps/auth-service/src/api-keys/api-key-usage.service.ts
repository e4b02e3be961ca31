import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Clock } from '@keycard/common';
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
 */
@Injectable()
export class ApiKeyUsageService {
  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    @InjectRepository(ApiKeyUsageEntity) private readonly usage: Repository<ApiKeyUsageEntity>,
    private readonly clock: Clock,
  ) {}

  /** Adds a batch of reports; lines for unknown keys are ignored. */
  async record(reports: readonly ApiKeyUsageReport[]): Promise<void> {
    const { counts, lastUsed } = this.aggregate(reports);
    const known = await this.knownKeyIds([...new Set(counts.map((row) => row.keyId))]);
    const rows = counts.filter((row) => known.has(row.keyId) && row.count > 0);
    for (let start = 0; start < rows.length; start += UPSERT_CHUNK) {
      await this.addCounts(rows.slice(start, start + UPSERT_CHUNK));
    }
    for (const [keyId, at] of lastUsed) {
      if (known.has(keyId)) await this.moveLastUsed(keyId, at);
    }
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
  private aggregate(reports: readonly ApiKeyUsageReport[]): {
    counts: DayCount[];
    lastUsed: Map<string, number>;
  } {
    const now = this.clock.now();
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

  private async knownKeyIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.keys.find({ select: { id: true }, where: { id: In(ids) } });
    return new Set(rows.map((row) => row.id));
  }

  /** One `INSERT … ON CONFLICT DO UPDATE`: atomic on SQLite and PostgreSQL alike. */
  private async addCounts(rows: DayCount[]): Promise<void> {
    const driver = this.usage.manager.connection.driver;
    const params: (string | number)[] = [];
    const values = rows.map((row) => {
      const placeholders = [row.keyId, row.day, row.count].map((value) => {
        params.push(value);
        return driver.createParameter(`p${params.length}`, params.length - 1);
      });
      return `(${placeholders.join(', ')})`;
    });
    await this.usage.query(
      `INSERT INTO "api_key_usage" ("key_id", "day", "count") VALUES ${values.join(', ')} ` +
        `ON CONFLICT ("key_id", "day") DO UPDATE SET "count" = "api_key_usage"."count" + excluded."count"`,
      params,
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
