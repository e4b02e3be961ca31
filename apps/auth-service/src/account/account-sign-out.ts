import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { Clock } from '@keycard/common';
import { SessionsService } from '../sessions/sessions.service';
import { RefreshFamilyEntity } from '../tokens/refresh-family.entity';

/**
 * Ends a user's logins after a credential change: every browser session and every refresh-token
 * family (so the access tokens minted from them stop at the next check of their `sid`), except,
 * for a change made while signed in, the caller's own (`keep`: a session id or a family id).
 */
@Injectable()
export class AccountSignOut {
  constructor(
    @InjectRepository(RefreshFamilyEntity)
    private readonly families: Repository<RefreshFamilyEntity>,
    private readonly sessions: SessionsService,
    private readonly clock: Clock,
  ) {}

  async allLogins(userId: string, reason: string, keep?: string): Promise<void> {
    await this.families.update(
      keep === undefined
        ? { userId, revokedAt: IsNull() }
        : { userId, revokedAt: IsNull(), id: Not(keep) },
      { revokedAt: this.clock.now(), revokeReason: reason },
    );
    if (keep === undefined) {
      await this.sessions.destroyAllForUser(userId);
      return;
    }
    for (const session of await this.sessions.list(userId)) {
      if (session.id !== keep) await this.sessions.end(session);
    }
  }
}
