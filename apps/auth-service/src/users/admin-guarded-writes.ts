import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ErrorCode, KeycardError } from '@keycard/common';
import { UserEntity } from './user.entity';

/** The role that administers Keycard (`/admin/*`). */
export const ADMIN_ROLE = 'admin';

/** The columns an admin change writes. */
export type UserPatch = Partial<Pick<UserEntity, 'roles' | 'disabled' | 'updatedAt'>>;

/** How a guarded write ended. */
export type UserWriteOutcome = 'updated' | 'last_admin' | 'missing';

/** Whether the patch can take the admin role away from a user or disable one. */
export function mayRemoveAdmin(patch: UserPatch): boolean {
  return (
    patch.disabled === true || (patch.roles !== undefined && !patch.roles.includes(ADMIN_ROLE))
  );
}

export function lastAdminError(): KeycardError {
  return new KeycardError(ErrorCode.LastAdmin, {
    message: 'This change would leave no active admin: make another user an admin first',
    reason: 'the last enabled admin would be demoted or disabled',
  });
}

/** `roles` is simple-json text, so a role is matched with its JSON quotes: never a substring. */
const ADMIN_ROLE_PATTERN = `%${JSON.stringify(ADMIN_ROLE)}%`;

/**
 * The row keeps its change only when it is not an enabled admin now, or another enabled admin
 * remains. `disabled` is a boolean on PostgreSQL and 0/1 on SQLite: both read it as a condition.
 */
const KEEPS_AN_ADMIN =
  '(disabled OR roles NOT LIKE :adminRole OR EXISTS (SELECT 1 FROM users other ' +
  'WHERE other.id <> :id AND NOT other.disabled AND other.roles LIKE :adminRole))';

/**
 * Writes admin changes to a user row so that at least one enabled admin always remains. The rule
 * is a condition of the UPDATE itself, so what it checks is the state the write applies to.
 * PostgreSQL (READ COMMITTED) would still let two such UPDATEs of different rows each count the
 * other as the remaining admin, so there every change that may remove an admin holds a
 * transaction-scoped advisory lock: they run one after the other, each seeing the last one's
 * commit. SQLite runs one statement at a time on one connection, so the statement is enough.
 */
@Injectable()
export class AdminGuardedWrites {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async update(id: string, patch: UserPatch): Promise<UserWriteOutcome> {
    if (!mayRemoveAdmin(patch)) return this.write(this.dataSource.manager, id, patch, false);
    if (this.dataSource.options.type !== 'postgres') {
      return this.write(this.dataSource.manager, id, patch, true);
    }
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('keycard.users.admins'))`);
      return this.write(manager, id, patch, true);
    });
  }

  private async write(
    manager: EntityManager,
    id: string,
    patch: UserPatch,
    keepAnAdmin: boolean,
  ): Promise<UserWriteOutcome> {
    const query = manager
      .createQueryBuilder()
      .update(UserEntity)
      .set(patch)
      .where('id = :id', { id });
    if (keepAnAdmin) query.andWhere(KEEPS_AN_ADMIN, { adminRole: ADMIN_ROLE_PATTERN });
    const result = await query.execute();
    if (result.affected === 1) return 'updated';
    const exists = await manager.getRepository(UserEntity).existsBy({ id });
    return exists && keepAnAdmin ? 'last_admin' : 'missing';
  }
}
