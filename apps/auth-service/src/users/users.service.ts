import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import type { AuditActor } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { userChangeEvents } from '../audit/user-change-events';
import { RevocationEvents } from '../revocation/revocation-events.service';
import { AdminGuardedWrites, lastAdminError, UserPatch } from './admin-guarded-writes';
import { PasswordHasher } from './password-hasher';
import { PostgresStatements } from '../database/postgres-statements';
import { TableSql } from '../database/table-sql';
import { isUniqueViolation } from '../database/unique-violation';
import { UserEventsService } from './user-events.service';
import {
  afterUser,
  countUsers,
  filtersNothing,
  filterUsers,
  orderedUsers,
  UserCursor,
  UserFilter,
} from './user-search';
import { DEFAULT_ROLES, UserEntity } from './user.entity';

export interface NewUser {
  email: string;
  /** Omitted for users who only sign in with an external provider (Google). */
  password?: string;
  name?: string | null;
  roles?: readonly string[];
  /** True only when the address was proven (a verified Google account); false by default. */
  emailVerified?: boolean;
}

export interface UserChanges {
  roles?: string[];
  disabled?: boolean;
}

/** A page by number (with the total count) or the page after a cursor (without). */
export type UserPaging =
  | { page: number; pageSize: number }
  | { after: UserCursor; pageSize: number };

export interface UserPage {
  items: UserEntity[];
  /** Users matching the filter on every page; counted for numbered pages only. */
  total?: number;
  next: UserCursor | null;
}

/** Emails are compared lowercased and trimmed; that is also how they are stored. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The number of users as PostgreSQL's triggers keep it (`UserCount1764300008000`). */
const USER_COUNT = 'SELECT "n" FROM "user_count" WHERE "id" = 1';

/** Users and their passwords: registration, credential checks, admin changes. */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);
  /** `findById`'s read, written once: it is on every refresh, introspection and code redemption. */
  private readonly byId: (id: string) => Promise<UserEntity | null>;
  /** `findByEmail`'s read, written once: it is on every password sign-in. */
  private readonly byEmail: (email: string) => Promise<UserEntity | null>;

  constructor(
    @InjectRepository(UserEntity) private readonly repository: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly events: UserEventsService,
    private readonly clock: Clock,
    private readonly writes: AdminGuardedWrites,
    private readonly audit: AuditService,
    private readonly revocations: RevocationEvents,
  ) {
    const users = new TableSql(repository.manager.dataSource, UserEntity);
    this.byId = users.findOne(['id']);
    this.byEmail = users.findOne(['email']);
  }

  /** Self-registration; 409 when the email is taken, also when two requests race for it. */
  register(email: string, password: string, name?: string): Promise<UserEntity> {
    return this.create({ email, password, name });
  }

  /** Creates a user; 409 `Email already registered` when the email is taken. */
  async create(input: NewUser): Promise<UserEntity> {
    const now = this.clock.now();
    const user = this.repository.create({
      id: randomUUID(),
      email: normalizeEmail(input.email),
      name: input.name ?? null,
      passwordHash: input.password === undefined ? null : await this.hasher.hash(input.password),
      roles: uniqueRoles(input.roles ?? DEFAULT_ROLES),
      disabled: false,
      emailVerified: input.emailVerified ?? false,
      mfaMethods: '',
      createdAt: now,
      updatedAt: now,
    });
    try {
      // One INSERT: the unique index decides between concurrent registrations, on both databases.
      await this.repository.insert(user);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new KeycardError(ErrorCode.Conflict, {
        message: 'Email already registered',
        reason: 'duplicate email',
      });
    }
    return user;
  }

  /** Creates the user unless the email is taken; true when this call created it. Safe to race. */
  async createIfMissing(input: NewUser): Promise<boolean> {
    if (await this.findByEmail(input.email)) return false;
    try {
      await this.create(input);
      return true;
    } catch (error) {
      if (error instanceof KeycardError && error.code === ErrorCode.Conflict) return false;
      throw error;
    }
  }

  /**
   * The user whose password this is, or null. Exactly one hash verification runs whatever the
   * outcome (against a dummy hash for an unknown email or a user without a password), so the
   * time taken does not tell whether the email exists. Disabled users are refused after the check.
   * A legacy (bcrypt or weaker argon2) hash is replaced by an argon2id one on success.
   */
  async verifyCredentials(email: string, password: string): Promise<UserEntity | null> {
    const user = await this.findByEmail(email);
    if (!user?.passwordHash) {
      await this.hasher.dummyVerify(password);
      return null;
    }
    const check = await this.hasher.verify(user.passwordHash, password);
    if (!check.valid || user.disabled) return null;
    if (check.needsRehash) await this.upgradeHash(user, password);
    return user;
  }

  /** Null for an unknown id, and for anything that is not a UUID (no database round trip). */
  async findById(id: string): Promise<UserEntity | null> {
    if (!isUUID(id)) return null;
    return this.byId(id);
  }

  /** The user with this id; 404 `not_found` for an unknown or malformed one. */
  async get(id: string): Promise<UserEntity> {
    const user = await this.findById(id);
    if (!user) throw userNotFound();
    return user;
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.byEmail(normalizeEmail(email));
  }

  /**
   * Marks the user's address verified, provided it is still `email` (compared normalised), so a
   * proof for an old address never verifies a new one. True when the address is verified now.
   */
  async markEmailVerified(user: UserEntity, email: string): Promise<boolean> {
    if (user.email !== normalizeEmail(email)) return false;
    if (user.emailVerified) return true;
    const updatedAt = this.clock.now();
    const result = await this.repository.update(
      { id: user.id, email: user.email },
      { emailVerified: true, updatedAt },
    );
    if (result.affected !== 1) return false;
    Object.assign(user, { emailVerified: true, updatedAt });
    return true;
  }

  /**
   * How many users there are, disabled ones included. PostgreSQL keeps the number in `user_count`
   * (triggers of the migration `UserCount1764300008000`), so reading it costs the same at any
   * size; SQLite counts (`COUNT(*)`, as a filtered list does).
   */
  async count(): Promise<number> {
    const postgres = PostgresStatements.of(this.repository.manager.dataSource);
    if (postgres === undefined) return countUsers(this.repository.createQueryBuilder('user'));
    const [row] = await postgres.rows<{ n: string }>(USER_COUNT, []);
    return Number(row?.n ?? 0);
  }

  /**
   * Users in a stable order (creation time, then id) narrowed by `filter` (see `filterUsers`): by
   * page number (1-based, with the total count), or after a cursor (keyset, no count, so a page
   * costs the same at any depth). `next` is where the following page starts, null on the last.
   */
  async list(filter: UserFilter, paging: UserPaging): Promise<UserPage> {
    const dialect =
      this.repository.manager.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
    const email = filter.email === undefined ? undefined : normalizeEmail(filter.email);
    const normalized = { ...filter, email };
    const query = orderedUsers(this.repository.createQueryBuilder('user'), normalized, dialect);
    if ('after' in paging) {
      const rows = await afterUser(query, paging.after)
        .take(paging.pageSize + 1)
        .getMany();
      const items = rows.slice(0, paging.pageSize);
      return { items, next: rows.length > paging.pageSize ? cursorOf(items) : null };
    }
    const skipped = (paging.page - 1) * paging.pageSize;
    const [items, total] = await Promise.all([
      query.skip(skipped).take(paging.pageSize).getMany(),
      filtersNothing(normalized)
        ? this.count()
        : countUsers(filterUsers(this.repository.createQueryBuilder('user'), normalized, dialect)),
    ]);
    return { items, total, next: skipped + items.length < total ? cursorOf(items) : null };
  }

  /**
   * Admin changes; 404 for an unknown id, 409 `last_admin` when no enabled admin would remain
   * (see `AdminGuardedWrites`). Setting `disabled: true` also tells the subscribers (tokens,
   * sessions, API keys) to revoke what the user holds, every time, so a retry completes a
   * revocation that failed half-way. `actor` names who made the change when there is no request
   * to take it from (the command line).
   */
  async update(id: string, changes: UserChanges, actor?: AuditActor): Promise<UserEntity> {
    const user = await this.findById(id);
    if (!user) throw userNotFound();
    const before = { roles: [...user.roles], disabled: user.disabled };
    const patch: UserPatch = {};
    if (changes.roles !== undefined) patch.roles = uniqueRoles(changes.roles);
    if (changes.disabled !== undefined) patch.disabled = changes.disabled;
    // Before the write: should it then fail, the user's clients only refresh their tokens.
    if (
      patch.disabled === true ||
      user.roles.some((role) => !(patch.roles ?? user.roles).includes(role))
    )
      await this.revocations.record([{ kind: 'user_before', subject: id }]);
    if (Object.keys(patch).length > 0) {
      patch.updatedAt = this.clock.now();
      const outcome = await this.writes.update(id, patch);
      if (outcome === 'last_admin') throw lastAdminError();
      if (outcome === 'missing') throw userNotFound();
      Object.assign(user, patch);
    }
    if (changes.disabled === true) await this.events.emitDisabled(id);
    for (const event of userChangeEvents(id, before, user)) {
      void this.audit.record(actor ? { ...event, actor } : event);
    }
    return user;
  }

  /**
   * Stores an argon2id hash in place of a legacy one. Conditional on the old hash, so it never
   * overwrites a password changed meanwhile; a failure here must not fail the login.
   */
  private async upgradeHash(user: UserEntity, password: string): Promise<void> {
    const legacyHash = user.passwordHash;
    if (legacyHash === null) return;
    try {
      const passwordHash = await this.hasher.hash(password);
      const updatedAt = this.clock.now();
      const result = await this.repository.update(
        { id: user.id, passwordHash: legacyHash },
        { passwordHash, updatedAt },
      );
      if (result.affected === 1) Object.assign(user, { passwordHash, updatedAt });
    } catch (error) {
      this.logger.warn(
        `Could not upgrade the password hash of user ${user.id}: ${(error as Error).message}`,
      );
    }
  }
}

function userNotFound(): KeycardError {
  return new KeycardError(ErrorCode.NotFound, {
    message: 'User not found',
    reason: 'no such user',
  });
}

function uniqueRoles(roles: readonly string[]): string[] {
  return [...new Set(roles)];
}

/** Where the page after `items` starts (the caller knows there is one). */
function cursorOf(items: readonly UserEntity[]): UserCursor {
  const last = items[items.length - 1];
  return { createdAt: last.createdAt, id: last.id };
}
