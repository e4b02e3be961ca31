import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { Clock } from '@keycard/common';
import { Revocation, RevocationEvents } from '../revocation/revocation-events.service';
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
    // Required: a sign-out without its revocation event would leave the user's access tokens
    // accepted at every verifier until they expire (API.md section 8).
    private readonly revocations: RevocationEvents,
  ) {}

  async allLogins(userId: string, reason: string, keep?: string): Promise<void> {
    await this.revokeFamilies(userId, reason, keep);
    if (keep === undefined) {
      await this.sessions.destroyAllForUser(userId);
      return;
    }
    for (const session of await this.sessions.list(userId)) {
      if (session.id !== keep) await this.sessions.end(session);
    }
  }

  /**
   * The families, with their revocation events in the same transaction: the whole user when
   * nothing is kept, else one `sid` event per family ended.
   */
  private async revokeFamilies(userId: string, reason: string, keep?: string): Promise<void> {
    const update = this.families
      .createQueryBuilder()
      .update()
      .set({ revokedAt: this.clock.now(), revokeReason: reason });
    let events: Revocation[] = [{ kind: 'user_before', subject: userId }];
    if (keep === undefined) {
      update.where('user_id = :userId AND revoked_at IS NULL', { userId });
    } else {
      const live = await this.families.find({
        select: { id: true },
        where: { userId, revokedAt: IsNull(), id: Not(keep) },
      });
      if (live.length === 0) return;
      const ids = live.map((family) => family.id);
      update.where('id IN (:...ids) AND revoked_at IS NULL', { ids });
      events = ids.map((id) => ({ kind: 'sid', subject: id }));
    }
    await this.revocations.write(events, [{ query: update.getQueryAndParameters() }]);
  }
}
