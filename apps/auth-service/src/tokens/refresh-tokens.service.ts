import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, Repository } from 'typeorm';
import { Clock, ErrorCode, KeycardError, timeOrderedUuid } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { authConfig, AuthSettings } from '../config/auth.config';
import { AtomicStatement, writeAtomically, WriteFaultPoints } from '../database/atomic-writes';
import { BoundQuery, TableSql } from '../database/table-sql';
import { RevocationEvents } from '../revocation/revocation-events.service';
import { encodeAmr, SignInContext } from '../auth-context/sign-in-context';
import { UserEntity } from '../users/user.entity';
import { RefreshFamilyEntity } from './refresh-family.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import type { RefreshTokenKey } from './refresh-token-format';
import {
  hashRefreshToken,
  newRefreshToken,
  openSuccessor,
  refreshTokenKey,
  sealSuccessor,
} from './refresh-token-format';

/** A live refresh token together with the login it belongs to. */
export interface RefreshRecord {
  token: RefreshTokenEntity;
  family: RefreshFamilyEntity;
}

/**
 * What a refresh reads, and no more (each column read costs the driver and the hydration): of the
 * token, what judging and rotating it need; of its login, what the access token and a refusal
 * need; of the user, who, with which roles, and whether still enabled.
 */
const REFRESH_TOKEN_COLUMNS = ['id', 'parentId', 'expiresAt', 'rotatedAt'] as const;
const REFRESH_FAMILY_COLUMNS = [
  'id',
  'userId',
  'clientId',
  'scope',
  'createdAt',
  'amr',
  'authTime',
  'revokedAt',
] as const;
const REFRESH_USER_COLUMNS = ['id', 'roles', 'disabled'] as const;
export type RefreshUser = Pick<UserEntity, (typeof REFRESH_USER_COLUMNS)[number]>;
export type RefreshLogin = Pick<RefreshFamilyEntity, (typeof REFRESH_FAMILY_COLUMNS)[number]>;
type RefreshingToken = Pick<RefreshTokenEntity, (typeof REFRESH_TOKEN_COLUMNS)[number]>;

/** A live refresh token, its login, and its user as read with them (null: deleted). */
export interface FoundRefresh {
  token: RefreshingToken;
  family: RefreshLogin;
  user: RefreshUser | null;
}

export interface RefreshGrant {
  family: RefreshLogin;
  refreshToken: string;
}

/** A refresh's outcome: the successor and the user as read with the token (current roles). */
export interface Refreshed {
  user: RefreshUser;
  grant: RefreshGrant;
}

/** Who a new login is for beyond its user: the client, the granted scope, the sign-in. */
export interface NewLoginOptions {
  clientId?: string;
  scope?: string;
  signIn?: SignInContext;
}

/** A login built by `newLogin`, written by `save`. */
export interface NewLogin extends RefreshGrant {
  statements: AtomicStatement[];
}

/** Statements of other records written in the same transaction as a new login. */
export interface LinkedStatements {
  before?: AtomicStatement[];
  after?: AtomicStatement[];
}

/** Where a test may make a token write fail halfway (`WriteFaultPoints`). */
export const REFRESH_FAULT_POINTS = {
  /** `start`: the family row is written, its first token not yet. */
  familyInserted: 'refresh.family-inserted',
  /**
   * `rotate`: on SQLite the presented token is marked rotated, its successor not yet written,
   * nothing committed; on PostgreSQL the rotation's one statement (`postgresRotation`) has
   * committed, its answer is not yet given.
   */
  rotationMarked: 'refresh.rotation-marked',
  /** `revokeFamily` / `revokeAllForUser`: the revocation event and the families are written, not committed. */
  familyRevoked: 'refresh.family-revoked',
} as const;

function invalidRefreshToken(reason: string): KeycardError {
  return new KeycardError(ErrorCode.InvalidToken, { message: 'Invalid refresh token', reason });
}

/**
 * Opaque rotating refresh tokens: every use rotates; presenting a rotated token again revokes the
 * whole family, except the immediate predecessor within `REFRESH_REUSE_INTERVAL`, which gets the
 * same successor back. A rotation is one transaction opened by a conditional statement, so
 * concurrent refreshes of one token can never produce two live successors, and a crash can never
 * leave a rotated token without its successor (or a login without its first token), on SQLite or
 * PostgreSQL.
 */
@Injectable()
export class RefreshTokensService {
  private readonly logger = new Logger(RefreshTokensService.name);
  /** The statements of logins and rotations, written once (`TableSql`). */
  private readonly sql: RefreshStatements;

  constructor(
    @InjectRepository(RefreshFamilyEntity)
    private readonly families: Repository<RefreshFamilyEntity>,
    @InjectRepository(RefreshTokenEntity) private readonly tokens: Repository<RefreshTokenEntity>,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: KeycardMetrics,
    private readonly faults: WriteFaultPoints,
    private readonly revocations: RevocationEvents,
  ) {
    this.sql = refreshStatements(tokens.manager.dataSource);
  }

  /** Starts a new login (family) and returns its first refresh token. */
  async start(userId: string, options: NewLoginOptions = {}): Promise<RefreshGrant> {
    const login = this.newLogin(userId, options);
    await this.save(login);
    return { family: login.family, refreshToken: login.refreshToken };
  }

  /** A new login, not yet written: its family, its first token and the statements writing both. */
  newLogin(userId: string, options: NewLoginOptions = {}): NewLogin {
    const now = this.clock.now();
    const family = this.families.create({
      id: timeOrderedUuid(now),
      userId,
      clientId: options.clientId ?? null,
      scope: options.scope ?? '',
      createdAt: now,
      amr: encodeAmr(options.signIn?.amr ?? []),
      authTime: options.signIn?.authTime ?? now,
      revokedAt: null,
      revokeReason: null,
    });
    const first = newToken(now);
    const statements: AtomicStatement[] = [
      {
        query: this.sql.insertFamily(family),
        after: REFRESH_FAULT_POINTS.familyInserted,
      },
      { query: this.sql.insertToken(this.tokenRow(family.id, first, null)) },
    ];
    return { family, refreshToken: first.plain, statements };
  }

  /**
   * Writes a new login in one transaction with `linked` statements of other records: `before` its
   * rows (a guard, such as spending the code it is issued for) and `after` them. False, with
   * nothing written, when a `requireOneRow` statement changed no row.
   */
  async save(login: NewLogin, linked: LinkedStatements = {}): Promise<boolean> {
    const written = await this.write([
      ...(linked.before ?? []),
      ...login.statements,
      ...(linked.after ?? []),
    ]);
    if (written) this.metrics.tokensIssued.inc({ kind: 'refresh' });
    return written;
  }

  /**
   * A refresh by `clientId` (null: no client authenticated): `presented` is found with its user
   * and rotated, or refused with a 401. A token issued to a client is refreshed only by that
   * client; a disabled or deleted user's token revokes its login. On PostgreSQL the read and the
   * rotation are one statement (`lookupRotating`) when nothing refuses the token; otherwise, and
   * on SQLite, the rotation follows the read (`rotate`).
   */
  async refresh(presented: string, clientId: string | null): Promise<Refreshed> {
    const now = this.clock.now();
    // Called only by the statement that uses it (PostgreSQL's): SQLite reads, then `rotate`.
    const plan = (): PlannedRotation => {
      const { id, plain } = newToken(now);
      return {
        now,
        clientId,
        successor: plain,
        successorId: id,
        successorDigest: hashRefreshToken(plain),
        successorSealed: sealSuccessor(presented, plain),
        expiresAt: now + this.config.refreshTokenTtl * 1000,
      };
    };
    const key = refreshTokenKey(presented);
    const found = key ? await this.sql.lookupRotating(key, plan) : undefined;
    const record = this.judged(found, now);
    const { family, user } = record;
    if (family.clientId !== null && family.clientId !== clientId)
      throw invalidRefreshToken('refresh token bound to another client');
    if (!user || user.disabled) {
      await this.revokeFamily(family.id, 'user_unavailable');
      throw invalidRefreshToken('user disabled or deleted');
    }
    if (found?.rotated) {
      this.faults.reached(REFRESH_FAULT_POINTS.rotationMarked);
      this.metrics.tokensIssued.inc({ kind: 'refresh' });
      return { user, grant: { family, refreshToken: found.rotated.successor } };
    }
    return { user, grant: await this.rotate(record, presented) };
  }

  /** `record` when it is live at `now`; a 401 when it is unknown, revoked or expired. */
  private judged(record: FoundRefresh | undefined, now: number): FoundRefresh {
    if (!record) throw invalidRefreshToken('unknown refresh token');
    if (record.family.revokedAt !== null) throw invalidRefreshToken('refresh family revoked');
    if (record.token.expiresAt <= now) throw invalidRefreshToken('refresh token expired');
    return record;
  }

  /** Looks a token up without judging it (introspection and logout use this). */
  async lookup(presented: string): Promise<RefreshRecord | undefined> {
    const key = refreshTokenKey(presented);
    return key ? this.sql.lookup(key) : undefined;
  }

  /** Rotates `presented` (read by `refresh`): the successor, or the same one again within the interval. */
  private async rotate(record: FoundRefresh, presented: string): Promise<RefreshGrant> {
    const { token, family } = record;
    const now = this.clock.now();
    if (token.rotatedAt === null) {
      const successor = newToken(now);
      const statements = this.sql.rotation({
        marked: {
          id: token.id,
          rotatedAt: now,
          successorId: successor.id,
          successorSealed: sealSuccessor(presented, successor.plain),
        },
        successor: this.tokenRow(family.id, successor, token.id),
        parentId: token.parentId,
      });
      if (await this.write(statements)) {
        this.metrics.tokensIssued.inc({ kind: 'refresh' });
        return { family, refreshToken: successor.plain };
      }
    }
    const current = await this.tokens.findOneByOrFail({ id: token.id });
    return this.retryOrReuse(current, family, presented, now);
  }

  /** Revokes the family of `presented`; unknown tokens are ignored (logout is idempotent). */
  async revokeFamilyOf(presented: string, reason = 'logout'): Promise<void> {
    const record = await this.lookup(presented);
    if (!record) return;
    await this.revokeFamily(record.family.id, reason);
    if (reason === 'logout') {
      void this.audit.record({
        type: AuditEventType.Logout,
        outcome: 'success',
        actor: { type: 'user', id: record.family.userId },
        subjectId: record.family.id,
      });
    }
  }

  /** Revokes one login; its `sid` goes to the revocation log in the same transaction. */
  async revokeFamily(familyId: string, reason: string): Promise<void> {
    const update = this.families
      .createQueryBuilder()
      .update()
      .set({ revokedAt: this.clock.now(), revokeReason: reason })
      .where('id = :id AND revoked_at IS NULL', { id: familyId });
    // Nothing to log when the family was already revoked (its event is in the log already).
    await this.revocations.write(
      [{ kind: 'sid', subject: familyId }],
      [
        {
          query: update.getQueryAndParameters(),
          requireOneRow: true,
          after: REFRESH_FAULT_POINTS.familyRevoked,
        },
      ],
      this.faults,
    );
  }

  /** Ends every login of a user (logout-all, user disabled). */
  async revokeAllForUser(userId: string, reason: string): Promise<void> {
    const update = this.families
      .createQueryBuilder()
      .update()
      .set({ revokedAt: this.clock.now(), revokeReason: reason })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    await this.revocations.write(
      [{ kind: 'user_before', subject: userId }],
      [{ query: update.getQueryAndParameters(), after: REFRESH_FAULT_POINTS.familyRevoked }],
      this.faults,
    );
  }

  async isFamilyActive(familyId: string): Promise<boolean> {
    return (await this.families.countBy({ id: familyId, revokedAt: IsNull() })) > 0;
  }

  private async retryOrReuse(
    token: RefreshTokenEntity,
    family: RefreshLogin,
    presented: string,
    now: number,
  ): Promise<RefreshGrant> {
    const intervalMs = this.config.refreshReuseInterval * 1000;
    const recent =
      intervalMs > 0 && token.rotatedAt !== null && now - token.rotatedAt <= intervalMs;
    if (recent && token.successorId && token.successorSealed) {
      const successor = await this.tokens.findOneBy({ id: token.successorId });
      // Written in the same transaction as the rotation; missing only if it was since deleted.
      const successorIsHead = !successor || successor.rotatedAt === null;
      const plain = successorIsHead ? openSuccessor(presented, token.successorSealed) : undefined;
      if (plain) return { family, refreshToken: plain };
    }
    await this.revokeFamily(family.id, 'reuse');
    this.metrics.refreshReuse.inc();
    // The presenter is unknown (the thief or the victim): no actor; the family is the subject.
    void this.audit.record({
      type: AuditEventType.RefreshReuseDetected,
      outcome: 'failure',
      actor: null,
      subjectId: family.id,
      details: { userId: family.userId, clientId: family.clientId },
    });
    this.logger.warn(
      `Refresh token reuse detected; family ${family.id} of user ${family.userId} revoked`,
    );
    throw invalidRefreshToken('refresh token reuse');
  }

  /** All of `statements` or none of them (`writeAtomically`); false when a guard changed nothing. */
  private write(statements: AtomicStatement[]): Promise<boolean> {
    return writeAtomically(this.tokens.manager.dataSource, statements, this.faults);
  }

  /** The row of `token`, a new head of `familyId` (not yet written). */
  private tokenRow(familyId: string, token: NewToken, parentId: string | null): RefreshTokenEntity {
    const now = this.clock.now();
    return {
      id: token.id,
      familyId,
      tokenDigest: hashRefreshToken(token.plain),
      tokenHash: null,
      parentId,
      createdAt: now,
      expiresAt: now + this.config.refreshTokenTtl * 1000,
      rotatedAt: null,
      successorId: null,
      successorSealed: null,
    };
  }
}

/** A new token: its row's id (time-ordered) and the token naming it. */
interface NewToken {
  id: string;
  plain: string;
}

function newToken(now: number): NewToken {
  const id = timeOrderedUuid(now);
  return { id, plain: newRefreshToken(id) };
}

/** What a rotation writes: the presented token marked, its successor, and its parent's seal dropped. */
interface Rotation {
  marked: Pick<RefreshTokenEntity, 'id' | 'rotatedAt' | 'successorId' | 'successorSealed'>;
  successor: RefreshTokenEntity;
  /** The presented token's predecessor, whose sealed copy of it is no longer needed by anyone. */
  parentId: string | null;
}

/** The hot statements of `RefreshTokensService`, written once for the data source's database. */
interface RefreshStatements {
  insertFamily(family: RefreshFamilyEntity): BoundQuery;
  insertToken(token: RefreshTokenEntity): BoundQuery;
  /**
   * A rotation's writes, opened by marking the presented token unless it already is rotated
   * (`requireOneRow`: only the first of concurrent rotations changes the row, the others find it
   * rotated); the fault point `rotationMarked` follows that statement.
   */
  rotation(rotation: Rotation): AtomicStatement[];
  /** A token by its key (`refreshTokenKey`) with its family, in one read. */
  lookup(key: RefreshTokenKey): Promise<RefreshRecord | undefined>;
  /**
   * The same with the family's user (null when there is none), in one read, so a refresh sees the
   * user's current roles and state; and on PostgreSQL in the same statement the rotation `plan`
   * returns when the token is live, unrotated, refreshable by the client and its user enabled
   * (`rotated`: the rotation, when it was made; the checks in `refresh` repeat these conditions).
   * SQLite only reads and never calls `plan`.
   */
  lookupRotating(
    key: RefreshTokenKey,
    plan: () => PlannedRotation,
  ): Promise<(FoundRefresh & { rotated?: PlannedRotation }) | undefined>;
}

/** The values of a rotation made before its token is read (`lookupRotating`). */
interface PlannedRotation {
  now: number;
  clientId: string | null;
  /** The successor in plain, handed to the caller when the rotation is made. */
  successor: string;
  successorId: string;
  successorDigest: string;
  successorSealed: string;
  expiresAt: number;
}

/** A statement for each form of token (`byKey`). */
interface ByKey {
  named: string;
  hashOnly: string;
}

/** The statement of `sql` for `key` and its values: the id and the digest, or the hash. */
function keyed(sql: ByKey, key: RefreshTokenKey): [string, string[]] {
  return 'id' in key ? [sql.named, [key.id, key.digest]] : [sql.hashOnly, [key.hash]];
}

function refreshStatements(dataSource: DataSource): RefreshStatements {
  const tokens = new TableSql(dataSource, RefreshTokenEntity);
  const families = new TableSql(dataSource, RefreshFamilyEntity);
  const users = new TableSql(dataSource, UserEntity);
  const withFamily =
    `FROM ${tokens.table} t JOIN ${families.table} f ` +
    `ON ${families.column('id', 'f')} = ${tokens.column('familyId', 't')}`;
  // A token naming its row by the row's primary key and the token's digest (the value at
  // `digestAt`, the id first); one of the older form by its hash (partial index).
  const byKey = {
    named: (digestAt: number) =>
      `WHERE ${tokens.column('id', 't')} = ${tokens.placeholder(0)} ` +
      `AND ${tokens.column('tokenDigest', 't')} = ${tokens.placeholder(digestAt)}`,
    hashOnly: `WHERE ${tokens.column('tokenHash', 't')} = ${tokens.placeholder(0)}`,
  };
  const lookupWhere = (where: string) =>
    `SELECT ${tokens.selectList('t')}, ${families.selectList('f')} ${withFamily} ${where}`;
  const withUserWhere = (where: string) =>
    `SELECT ${tokens.selectList('t', REFRESH_TOKEN_COLUMNS)}, ` +
    `${families.selectList('f', REFRESH_FAMILY_COLUMNS)}, ` +
    `${users.selectList('u', REFRESH_USER_COLUMNS)} ` +
    `${withFamily} LEFT JOIN ${users.table} u ` +
    `ON ${users.column('id', 'u')} = ${families.column('userId', 'f')} ${where}`;
  const lookup = { named: lookupWhere(byKey.named(1)), hashOnly: lookupWhere(byKey.hashOnly) };
  const lookupWithUser = (digestAt: number): ByKey => ({
    named: withUserWhere(byKey.named(digestAt)),
    hashOnly: withUserWhere(byKey.hashOnly),
  });
  const insertToken = tokens.insert();
  const markRotated = tokens.update(
    ['rotatedAt', 'successorId', 'successorSealed'],
    ['id'],
    `${tokens.column('rotatedAt')} IS NULL`,
  );
  const dropSealed = tokens.update(['successorSealed'], ['id']);
  const foundOf = (row: Record<string, unknown>): FoundRefresh => ({
    token: tokens.hydratePart(row, 't', REFRESH_TOKEN_COLUMNS),
    family: families.hydratePart(row, 'f', REFRESH_FAMILY_COLUMNS),
    user: row['u_id'] === null ? null : users.hydratePart(row, 'u', REFRESH_USER_COLUMNS),
  });
  return {
    insertFamily: families.insert(),
    insertToken,
    rotation:
      dataSource.options.type === 'postgres'
        ? postgresRotation(tokens, markRotated)
        : ({ marked, successor, parentId }) => [
            {
              query: markRotated(marked),
              requireOneRow: true,
              after: REFRESH_FAULT_POINTS.rotationMarked,
            },
            { query: insertToken(successor) },
            ...(parentId ? [{ query: dropSealed({ id: parentId, successorSealed: null }) }] : []),
          ],
    async lookup(key) {
      const [row] = await tokens.rows(...keyed(lookup, key));
      return row === undefined
        ? undefined
        : { token: tokens.hydrate(row, 't'), family: families.hydrate(row, 'f') };
    },
    lookupRotating:
      dataSource.options.type === 'postgres'
        ? // The digest follows the id and the rotation's six values (`postgresLookupRotating`).
          postgresLookupRotating(lookupWithUser(7), tokens, foundOf)
        : sqliteLookupRotating(lookupWithUser(1), tokens, foundOf),
  };
}

/** SQLite only reads (its rotation follows in `rotate`) and never calls `plan`. */
function sqliteLookupRotating(
  lookupWithUser: ByKey,
  tokens: TableSql<RefreshTokenEntity>,
  foundOf: (row: Record<string, unknown>) => FoundRefresh,
): RefreshStatements['lookupRotating'] {
  return async (key) => {
    const [row] = await tokens.rows(...keyed(lookupWithUser, key));
    return row === undefined ? undefined : foundOf(row);
  };
}

/**
 * PostgreSQL reads a token with its family and user and rotates it in one statement, one round
 * trip: `found` is `lookupWithUser`; `marked`, `dropped` and `inserted` are the rotation of
 * `postgresRotation`, made only when `found` shows a live, unrotated token that the client may
 * refresh and whose user is enabled. The mark's `rotated_at IS NULL` is checked again on the row
 * as it is when the UPDATE reaches it, so of concurrent refreshes only one rotates; another finds
 * no `rotated` and goes the way of a read (`rotate`).
 */
function postgresLookupRotating(
  lookupWithUser: ByKey,
  tokens: TableSql<RefreshTokenEntity>,
  foundOf: (row: Record<string, unknown>) => FoundRefresh,
): RefreshStatements['lookupRotating'] {
  const c = (property: keyof RefreshTokenEntity) => tokens.column(property);
  const rotating = (found: string) =>
    `WITH found AS (${found}), ` +
    `marked AS (UPDATE ${tokens.table} SET ${c('rotatedAt')} = $2, ${c('successorId')} = $3, ` +
    `${c('successorSealed')} = $4 WHERE ${c('id')} = (SELECT "t_id" FROM found ` +
    `WHERE "f_revokedAt" IS NULL AND "t_expiresAt" > $2 ` +
    `AND ("f_clientId" IS NULL OR "f_clientId" = $5) AND "u_id" IS NOT NULL AND NOT "u_disabled") ` +
    `AND ${c('rotatedAt')} IS NULL RETURNING 1), ` +
    `dropped AS (UPDATE ${tokens.table} SET ${c('successorSealed')} = NULL ` +
    `WHERE ${c('id')} = (SELECT "t_parentId" FROM found) AND EXISTS (SELECT 1 FROM marked)), ` +
    `inserted AS (INSERT INTO ${tokens.table} (${c('id')}, ${c('familyId')}, ${c('tokenDigest')}, ` +
    `${c('parentId')}, ${c('createdAt')}, ${c('expiresAt')}) ` +
    `SELECT $3, "f_id", $6, "t_id", $2, $7 FROM found, marked RETURNING 1) ` +
    `SELECT found.*, EXISTS (SELECT 1 FROM inserted) AS "rotated" FROM found`;
  const sql = {
    named: rotating(lookupWithUser.named),
    hashOnly: rotating(lookupWithUser.hashOnly),
  };
  return async (key, plan) => {
    const planned = plan();
    const [statement, [first, digest]] = keyed(sql, key);
    const [row] = await tokens.rows(statement, [
      first,
      planned.now,
      planned.successorId,
      planned.successorSealed,
      planned.clientId,
      planned.successorDigest,
      planned.expiresAt,
      // The token's digest, after the rotation's values ($8), for a token naming its row.
      ...(digest === undefined ? [] : [digest]),
    ]);
    if (row === undefined) return undefined;
    return row['rotated'] === true ? { ...foundOf(row), rotated: planned } : foundOf(row);
  };
}

/**
 * PostgreSQL writes a rotation in one statement, committed on its own (`writeAtomically` sends a
 * lone statement without BEGIN and COMMIT): one round trip, where three statements in a transaction
 * would take five. The mark, then (only
 * when the mark changed a row) the successor and the parent's seal, as data-modifying `WITH` parts
 * of the successor's `INSERT`; a single statement is atomic, so the mark is never kept without
 * its successor. Its row count is the mark's, which `requireOneRow` reads. SQLite has no
 * data-modifying `WITH`; it runs the three statements in its transaction.
 */
function postgresRotation(
  tokens: TableSql<RefreshTokenEntity>,
  markRotated: (values: Partial<RefreshTokenEntity>) => BoundQuery,
): (rotation: Rotation) => AtomicStatement[] {
  const [markSql, markValues] = markRotated({});
  const insertSuccessor = tokens.insertFrom('marked', markValues.length);
  const [insertSql, insertValues] = insertSuccessor({} as RefreshTokenEntity);
  const parent = tokens.placeholder(markValues.length + insertValues.length);
  const sql =
    `WITH marked AS (${markSql} RETURNING 1), ` +
    `dropped AS (UPDATE ${tokens.table} SET ${tokens.column('successorSealed')} = NULL ` +
    `WHERE ${tokens.column('id')} = ${parent} AND EXISTS (SELECT 1 FROM marked)) ${insertSql}`;
  return ({ marked, successor, parentId }) => [
    {
      query: [sql, [...markRotated(marked)[1], ...insertSuccessor(successor)[1], parentId]],
      requireOneRow: true,
      after: REFRESH_FAULT_POINTS.rotationMarked,
    },
  ];
}
