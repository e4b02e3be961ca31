import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity';
import type { AuditActorType, AuditDetails, AuditOutcome } from './audit-events';

export interface AuditFilter {
  /** Exact, or a prefix when it ends in `.*`. */
  type?: string;
  outcome?: AuditOutcome;
  actorId?: string;
  subjectId?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, inclusive. */
  to?: number;
}

export interface AuditEventView {
  id: string;
  at: string;
  type: string;
  outcome: AuditOutcome;
  actorId: string | null;
  actorType: AuditActorType | null;
  subjectId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: AuditDetails | null;
}

export interface AuditPage {
  items: AuditEventView[];
  page: number;
  pageSize: number;
  /** The events that match, counted up to `countLimit(page, pageSize)`. */
  total: number;
  /** More events than `total` match: counting stopped there. */
  totalCapped: boolean;
}

/**
 * Counting stops after this many matches (or after the requested page, when that ends later):
 * an audit trail of millions of events would otherwise be counted whole for each page of the
 * unfiltered list, and a busy event type's day for each page of it, however few rows are shown.
 * Auth0 and Keycloak do not count their logs exactly either.
 */
export const AUDIT_COUNT_LIMIT = 1000;

/** Where counting stops for a page: at `AUDIT_COUNT_LIMIT`, or at the page's end beyond it. */
function countLimit(page: number, pageSize: number): number {
  return Math.max(AUDIT_COUNT_LIMIT, page * pageSize);
}

/** Reading the audit trail: filtered, newest first, paged. */
@Injectable()
export class AuditQueryService {
  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
  ) {}

  async list(filter: AuditFilter, page: number, pageSize: number): Promise<AuditPage> {
    const query = this.events.createQueryBuilder('e');
    if (filter.type?.endsWith('.*')) {
      // `_` is a LIKE wildcard and appears in type names (`api_key.*`): escape it.
      const prefix = filter.type.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`);
      query.andWhere(`e.type LIKE :typePrefix ESCAPE '\\'`, { typePrefix: `${prefix}%` });
    } else if (filter.type !== undefined) {
      query.andWhere('e.type = :type', { type: filter.type });
    }
    if (filter.outcome !== undefined)
      query.andWhere('e.outcome = :outcome', { outcome: filter.outcome });
    if (filter.actorId !== undefined)
      query.andWhere('e.actor_id = :actorId', { actorId: filter.actorId });
    if (filter.subjectId !== undefined) {
      query.andWhere('e.subject_id = :subjectId', { subjectId: filter.subjectId });
    }
    if (filter.from !== undefined) query.andWhere('e.at >= :from', { from: filter.from });
    if (filter.to !== undefined) query.andWhere('e.at <= :to', { to: filter.to });
    const limit = countLimit(page, pageSize);
    const [rows, matches] = await Promise.all([
      query
        .clone()
        .orderBy('e.at', 'DESC')
        .addOrderBy('e.id', 'DESC')
        .offset((page - 1) * pageSize)
        .limit(pageSize)
        .getMany(),
      countEvents(query, limit + 1),
    ]);
    return {
      items: rows.map(toView),
      page,
      pageSize,
      total: Math.min(matches, limit),
      totalCapped: matches > limit,
    };
  }
}

/**
 * How many events `query` (filtered, unordered) finds, up to `upTo`: `COUNT(*)` over the first
 * `upTo` matches, so the count reads at most that many index entries. Not the
 * `COUNT(DISTINCT id)` of TypeORM's `getManyAndCount`, which PostgreSQL answers by sorting every
 * id it counts (there is no join here to deduplicate).
 */
async function countEvents(
  query: SelectQueryBuilder<AuditEventEntity>,
  upTo: number,
): Promise<number> {
  const [matches, parameters] = query.clone().select('1').limit(upTo).getQueryAndParameters();
  const rows: { total: string | number }[] = await query.dataSource.query(
    `SELECT COUNT(*) AS "total" FROM (${matches}) "matches"`,
    parameters,
  );
  return Number(rows[0]?.total ?? 0);
}

export function toView(event: AuditEventEntity): AuditEventView {
  return {
    id: event.id,
    at: new Date(event.at).toISOString(),
    type: event.type,
    outcome: event.outcome,
    actorId: event.actorId,
    actorType: event.actorType,
    subjectId: event.subjectId,
    ip: event.ip,
    userAgent: event.userAgent,
    details: event.details,
  };
}
