import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { type RevocationEvent, type RevocationKind, validFrom } from '@keycard/auth';
import { Clock } from '@keycard/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { AtomicStatement, writeAtomically, WriteFaultPoints } from '../database/atomic-writes';
import { RevocationEventEntity, toRevocationEvent } from './revocation-event.entity';
import { RevocationFeed } from './revocation-feed';

/** What a revocation covers; `at` defaults to now. */
export interface Revocation {
  kind: RevocationKind;
  subject: string;
  at?: number;
}

/** Kept past the tokens it covers: the clock leeway of verifiers, and a margin. */
const EXPIRY_MARGIN_MS = 90_000;
/** An API key answer is cached by a verifier for at most this long (`API_KEY_CACHE_TTL`). */
const MAX_API_KEY_CACHE_MS = 300_000;

/**
 * The revocation log: every module that revokes something writes its event here, in the same
 * transaction as the revocation (`statements` for `writeAtomically`, `recordIn` for a TypeORM
 * transaction), so that a crash can never keep one without the other. After the commit the
 * feed reads the log in order and tells this instance's subscribers, Redis and the verifiers'
 * streams. On PostgreSQL each writer first locks the table, so ids commit in the order they
 * were drawn and a reader's cursor never passes over a transaction still open.
 */
@Injectable()
export class RevocationEvents {
  /** User id → the first instant a new token of theirs may claim as `iat` (recent events only). */
  private readonly userFloors = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(authConfig.KEY) private readonly config: Pick<AuthSettings, 'accessTokenTtl'>,
    private readonly clock: Clock,
    private readonly feed: RevocationFeed,
  ) {
    feed.subscribe((event) => this.noteFloor(event.kind, event.subject, event.at));
  }

  /**
   * The smallest `iat` (epoch seconds) a token of `userId` issued now may carry: after the
   * second of a `user_before` revocation, which refuses that whole second. Undefined when no
   * recent revocation applies.
   */
  issuedAtFloor(userId: string): number | undefined {
    const floor = this.userFloors.get(userId);
    return floor === undefined || floor <= this.clock.now() ? undefined : floor / 1000;
  }

  /** Statements that go FIRST in a `writeAtomically` list (the lock must come before any row). */
  statements(revocations: readonly Revocation[]): AtomicStatement[] {
    const inserts = revocations.map((revocation) => ({
      query: this.dataSource
        .createQueryBuilder()
        .insert()
        .into(RevocationEventEntity)
        .values(this.row(revocation))
        .getQueryAndParameters(),
    }));
    return this.isPostgres() ? [{ query: [LOCK_STATEMENT, []] }, ...inserts] : inserts;
  }

  /**
   * Writes `statements` and the revocations' events as one transaction, then wakes the feed.
   * False (nothing written) when a `requireOneRow` statement changed no row.
   */
  async write(
    revocations: readonly Revocation[],
    statements: AtomicStatement[],
    faults?: WriteFaultPoints,
  ): Promise<boolean> {
    const written = await writeAtomically(
      this.dataSource,
      [...this.statements(revocations), ...statements],
      faults,
    );
    if (written) {
      for (const revocation of revocations)
        this.noteFloor(revocation.kind, revocation.subject, revocation.at ?? this.clock.now());
      this.committed();
    }
    return written;
  }

  /**
   * Inside an open TypeORM transaction; call it before the transaction's other writes (the
   * PostgreSQL lock), and `committed()` once the transaction has committed.
   */
  async recordIn(manager: EntityManager, revocations: readonly Revocation[]): Promise<void> {
    if (this.isPostgres()) await manager.query(LOCK_STATEMENT);
    await manager.insert(
      RevocationEventEntity,
      revocations.map((revocation) => this.row(revocation)),
    );
  }

  /**
   * On its own, for a revocation of state outside this database (sessions in Redis): written
   * BEFORE that state is removed, so a crash in between leaves the tokens refused, not live.
   */
  async record(revocations: readonly Revocation[]): Promise<void> {
    if (revocations.length === 0) return;
    await this.write(revocations, []);
  }

  /** After a commit that wrote events: every subscriber hears of them within milliseconds. */
  committed(): void {
    this.feed.poke();
  }

  /** Subscribes this process to every event of the log (all instances'), in log order. */
  subscribe(listener: (event: RevocationEvent) => void): () => void {
    return this.feed.subscribe(listener);
  }

  /** Unexpired events after `after`, in log order. */
  async since(after: number, limit: number): Promise<RevocationEvent[]> {
    const rows = await this.dataSource.getRepository(RevocationEventEntity).find({
      where: { id: MoreThan(after), expiresAt: MoreThan(this.clock.now()) },
      order: { id: 'ASC' },
      take: limit,
    });
    return rows.map(toRevocationEvent);
  }

  private noteFloor(kind: RevocationKind, subject: string, at: number): void {
    if (kind !== 'user_before') return;
    const now = this.clock.now();
    for (const [user, floor] of this.userFloors) if (floor <= now) this.userFloors.delete(user);
    this.userFloors.set(subject, Math.max(this.userFloors.get(subject) ?? 0, validFrom(at)));
  }

  private row(revocation: Revocation): Omit<RevocationEventEntity, 'id'> {
    const at = revocation.at ?? this.clock.now();
    const covered = Math.max(this.config.accessTokenTtl * 1000, MAX_API_KEY_CACHE_MS);
    return {
      kind: revocation.kind,
      subject: revocation.subject,
      at,
      expiresAt: Math.max(at, this.clock.now()) + covered + EXPIRY_MARGIN_MS,
    };
  }

  private isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }
}

const LOCK_STATEMENT = 'LOCK TABLE "revocation_events" IN SHARE ROW EXCLUSIVE MODE';
