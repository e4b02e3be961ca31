import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThanOrEqual, Repository } from 'typeorm';
import { Clock } from '@keycard/common';
import type { AtomicStatement } from '../database/atomic-writes';
import { BoundQuery, TableSql } from '../database/table-sql';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { OidcAppLoginEntity } from './oidc-records.entity';

export interface AppLogin {
  familyId: string;
  sessionId: string;
  clientId: string;
  userId: string;
}

/**
 * Which app logins (refresh families) each browser session started: what the session's end
 * revokes and which apps back-channel logout tells.
 */
@Injectable()
export class AppLoginsService {
  /** The INSERT of every code redemption, written once (`TableSql`). */
  private readonly insertRow: (login: OidcAppLoginEntity) => BoundQuery;

  constructor(
    @InjectRepository(OidcAppLoginEntity) private readonly logins: Repository<OidcAppLoginEntity>,
    private readonly refreshTokens: RefreshTokensService,
    private readonly clock: Clock,
  ) {
    this.insertRow = new TableSql(logins.manager.dataSource, OidcAppLoginEntity).insert();
  }

  /** The statement recording `login`, for the transaction that writes its refresh family. */
  insert(login: AppLogin): AtomicStatement {
    return {
      query: this.insertRow({ ...login, createdAt: this.clock.now(), endedAt: null }),
    };
  }

  /** The live app logins of a session whose end nobody has handled yet. */
  ofSession(sessionId: string): Promise<AppLogin[]> {
    return this.logins.findBy({ sessionId, endedAt: IsNull() });
  }

  /** The same for every session of a user that began at or before `before` (epoch ms). */
  ofUser(userId: string, before: number): Promise<AppLogin[]> {
    return this.logins.findBy({ userId, endedAt: IsNull(), createdAt: LessThanOrEqual(before) });
  }

  /**
   * Marks the login ended and revokes its family. True for exactly one caller (every instance
   * hears every session end; one of them tells the app).
   */
  async end(login: AppLogin, reason: string): Promise<boolean> {
    const claimed = await this.logins.update(
      { familyId: login.familyId, endedAt: IsNull() },
      { endedAt: this.clock.now() },
    );
    if (!claimed.affected) return false;
    await this.refreshTokens.revokeFamily(login.familyId, reason);
    return true;
  }

  /** Revokes every login of one user at one app (a removed connected app). */
  async endForClient(userId: string, clientId: string, reason: string): Promise<void> {
    const logins = await this.logins.findBy({ userId, clientId });
    for (const login of logins) {
      await this.logins.update({ familyId: login.familyId }, { endedAt: this.clock.now() });
      await this.refreshTokens.revokeFamily(login.familyId, reason);
    }
  }
}
