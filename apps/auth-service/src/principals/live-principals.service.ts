import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { Repository } from 'typeorm';
import type { Principal } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import { ClientsService } from '../clients/clients.service';
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
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly sessions: SessionsService,
    private readonly clients: ClientsService,
  ) {}

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

  /** One statement: the user by primary key, left-joined to their refresh family `sid`. */
  private async userAndLogin(userId: string, sid: string): Promise<UserAndLogin | undefined> {
    const { entities, raw } = await this.users
      .createQueryBuilder('account')
      .leftJoin(RefreshFamilyEntity, 'login', 'login.id = :sid AND login.userId = account.id', {
        sid,
      })
      .select(['account.id', 'account.roles', 'account.disabled'])
      .addSelect(['login.id', 'login.revokedAt'])
      .where('account.id = :userId', { userId })
      .getRawAndEntities<{ login_id: string | null; login_revoked_at: unknown }>();
    const user = entities[0];
    const row = raw[0];
    if (user === undefined || row === undefined) return undefined;
    if (row.login_id === null) return { user, family: 'absent' };
    return { user, family: row.login_revoked_at === null ? 'live' : 'revoked' };
  }
}
