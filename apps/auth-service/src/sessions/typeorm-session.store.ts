import type { Repository } from 'typeorm';
import { MoreThan } from 'typeorm';
import type { Clock } from '@keycard/common';
import { TableSql } from '../database/table-sql';
import { decodeAmr, encodeAmr } from '../auth-context/sign-in-context';
import { SessionEntity } from './session.entity';
import type { SessionRecord } from './session.store';
import { isSessionLive, SessionStore } from './session.store';

function toRecord(row: SessionEntity): SessionRecord {
  return {
    id: row.id,
    tokenHash: row.tokenHash,
    userId: row.userId,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    idleExpiresAt: row.idleExpiresAt,
    expiresAt: row.expiresAt,
    userAgent: row.userAgent,
    ip: row.ip,
    csrfToken: row.csrfToken,
    ...(row.amr ? { amr: decodeAmr(row.amr) } : {}),
    ...(row.authTime !== null ? { authTime: row.authTime } : {}),
  };
}

/**
 * Sessions in the auth-service's own database (SQLite or PostgreSQL), so they survive a
 * restart without any extra server. Every change is one statement, conditional where it matters
 * (SQLite has no transaction queue, see docs/architecture.md); expired rows are removed when
 * they are read and when their user signs in again.
 */
export class TypeOrmSessionStore extends SessionStore {
  /**
   * The reads of every signed-in page and code redemption, written once (`TableSql`) rather than
   * built again by TypeORM's `findOneBy` on each call.
   */
  private readonly byTokenHash: (tokenHash: string) => Promise<SessionEntity | null>;
  private readonly byId: (id: string) => Promise<SessionEntity | null>;

  constructor(
    private readonly repository: Repository<SessionEntity>,
    private readonly clock: Clock,
  ) {
    super();
    const table = new TableSql(repository.manager.dataSource, SessionEntity);
    this.byTokenHash = table.findOne(['tokenHash']);
    this.byId = table.findOne(['id']);
  }

  async create(record: SessionRecord): Promise<void> {
    await this.purgeExpired(record.userId);
    await this.repository.insert(
      this.repository.create({
        ...record,
        amr: encodeAmr(record.amr ?? []),
        authTime: record.authTime ?? null,
      }),
    );
  }

  async get(tokenHash: string): Promise<SessionRecord | null> {
    return this.live(await this.byTokenHash(tokenHash));
  }

  async getById(id: string): Promise<SessionRecord | null> {
    return this.live(await this.byId(id));
  }

  /** The record of `row` while it lives; an expired row is deleted. */
  private async live(row: SessionEntity | null): Promise<SessionRecord | null> {
    if (!row) return null;
    if (!isSessionLive(row, this.clock.now())) {
      await this.repository.delete({ id: row.id });
      return null;
    }
    return toRecord(row);
  }

  async touch(id: string, lastSeenAt: number, idleExpiresAt: number): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.repository.update(
      { id, expiresAt: MoreThan(now), idleExpiresAt: MoreThan(now) },
      { lastSeenAt, idleExpiresAt },
    );
    return result.affected === 1;
  }

  async destroy(id: string, userId: string): Promise<boolean> {
    const result = await this.repository.delete({ id, userId });
    return (result.affected ?? 0) > 0;
  }

  async listByUser(userId: string): Promise<SessionRecord[]> {
    const now = this.clock.now();
    const rows = await this.repository.find({
      where: { userId, expiresAt: MoreThan(now), idleExpiresAt: MoreThan(now) },
      order: { createdAt: 'DESC', id: 'ASC' },
    });
    return rows.map(toRecord);
  }

  async destroyAllForUser(userId: string): Promise<number> {
    const result = await this.repository.delete({ userId });
    return result.affected ?? 0;
  }

  countLive(): Promise<number> {
    const now = this.clock.now();
    return this.repository.countBy({ expiresAt: MoreThan(now), idleExpiresAt: MoreThan(now) });
  }

  /** Keeps a user's rows bounded by their live sessions: runs at each of their sign-ins. */
  private async purgeExpired(userId: string): Promise<void> {
    await this.repository
      .createQueryBuilder()
      .delete()
      .where('user_id = :userId AND (expires_at <= :now OR idle_expires_at <= :now)', {
        userId,
        now: this.clock.now(),
      })
      .execute();
  }
}
