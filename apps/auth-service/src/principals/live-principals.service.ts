import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import type { Principal } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import { ClientsService } from '../clients/clients.service';
import { TableSql } from '../database/table-sql';
import { SessionsService } from '../sessions/sessions.service';
import { RefreshFamilyEntity } from '../tokens/refresh-family.entity';
import { UserEntity } from '../users/user.entity';

/** A user row with what is known of the token's `sid` as a refresh family. */
interface UserAndLogin {
  user: Pick<UserEntity, 'roles' | 'disabled'>;
  /** `absent`: no family of this user has that id (the sid may be a browser session). */
  family: 'live' | 'revoked' | 'absent';
}

/**
 * The auth-service's `refreshPrincipal`: who the bearer of a verified access token is now. On the
 * auth-service's own routes a token's roles are never trusted: a user must still exist and be
 * enabled, their roles are read from the database, and the login the token belongs to (`sid`: a
 * refresh family or a browser session) must still be live. A service client's token
 * (client_credentials) needs its client still registered and not revoked.
 *
 * Cost: one indexed read for a token of a refresh family (the user and the family in one
 * statement), one more for a token minted from a browser session (the session store). Nothing is
 * cached here, so a change on any instance applies to the next request; client rows come through
 * `ClientsService`'s cache (`CLIENT_CACHE_TTL`).
 */
@Injectable()
export class LivePrincipals {
  private readonly statement: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    private readonly clients: ClientsService,
  ) {
    this.statement = userAndLoginStatement(dataSource);
  }

  /** The principal with its current roles, or null when the token must be refused. */
  async refresh(principal: Principal): Promise<Principal | null> {
    try {
      return principal.scopeRestricted
        ? await this.currentClient(principal)
        : await this.currentUser(principal);
    } catch (error) {
      if (error instanceof KeycardError) throw error;
      // A database or Redis outage is a 503, not a 500 and not "signed out".
      throw new KeycardError(ErrorCode.Unavailable, {
        reason: `could not read the caller's state (${error instanceof Error ? error.name : 'unknown'})`,
      });
    }
  }

  private async currentClient(principal: Principal): Promise<Principal | null> {
    const client = await this.clients.findActive(principal.clientId ?? principal.sub);
    return client === null ? null : principal;
  }

  private async currentUser(principal: Principal): Promise<Principal | null> {
    const sid = principal.sessionId;
    // Every user token the auth-service mints names its login; one without is not ours to honour.
    if (sid === undefined || !isUUID(sid) || !isUUID(principal.sub)) return null;
    const found = await this.userAndLogin(principal.sub, sid);
    if (found === undefined || found.user.disabled || found.family === 'revoked') return null;
    if (found.family === 'absent' && !(await this.sessions.isLive(sid, principal.sub))) {
      return null;
    }
    return { ...principal, roles: [...found.user.roles] };
  }

  /** One statement: the user by primary key, left-joined to her refresh family `sid`. */
  private async userAndLogin(userId: string, sid: string): Promise<UserAndLogin | undefined> {
    const rows = (await this.dataSource.query(this.statement, [sid, userId])) as UserAndLoginRow[];
    const row = rows[0];
    if (row === undefined) return undefined;
    // `disabled` is a boolean on PostgreSQL and 0/1 on SQLite; `roles` is simple-json text.
    const user = { roles: parseRoles(row.roles), disabled: Boolean(row.disabled) };
    if (row.family_id === null) return { user, family: 'absent' };
    return { user, family: row.family_revoked_at === null ? 'live' : 'revoked' };
  }
}

interface UserAndLoginRow {
  roles: string;
  disabled: boolean | number;
  family_id: string | null;
  family_revoked_at: unknown;
}

/**
 * The SQL of `userAndLogin`, written once from the entities' metadata (`TableSql`): through
 * TypeORM's query builder the same read costs several times as much (building and hydrating, per
 * call). Values: the sid, then the user id.
 */
function userAndLoginStatement(dataSource: DataSource): string {
  const users = new TableSql(dataSource, UserEntity);
  const families = new TableSql(dataSource, RefreshFamilyEntity);
  const u = (property: keyof UserEntity & string) => users.column(property, 'u');
  const f = (property: keyof RefreshFamilyEntity & string) => families.column(property, 'f');
  return [
    `SELECT ${u('roles')} AS roles, ${u('disabled')} AS disabled,`,
    `${f('id')} AS family_id, ${f('revokedAt')} AS family_revoked_at`,
    `FROM ${users.table} u LEFT JOIN ${families.table} f`,
    `ON ${f('id')} = ${users.placeholder(0)} AND ${f('userId')} = ${u('id')}`,
    `WHERE ${u('id')} = ${users.placeholder(1)}`,
  ].join(' ');
}

function parseRoles(text: string): string[] {
  const roles: unknown = JSON.parse(text);
  return Array.isArray(roles)
    ? roles.filter((role): role is string => typeof role === 'string')
    : [];
}
