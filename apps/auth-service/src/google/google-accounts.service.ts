import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import { isUniqueViolation } from '../users/unique-violation';
import { DEFAULT_ROLES, UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { GoogleSignInFailure } from './google-failure';
import { UserIdentityEntity } from './user-identity.entity';

export const GOOGLE_PROVIDER = 'google';

/** A Google account whose email Google says it verified. */
export interface VerifiedGoogleAccount {
  sub: string;
  email: string;
  name?: string;
}

/**
 * Finds the Keycard user of a Google account: by (google, sub) first, so an email changed at
 * Google still finds the same user; else the user with that (verified) email, linked rather than
 * duplicated; else a new user without a password. Disabled users are refused.
 */
@Injectable()
export class GoogleAccountsService {
  private readonly logger = new Logger('GoogleSignIn');

  constructor(
    @InjectRepository(UserIdentityEntity)
    private readonly identities: Repository<UserIdentityEntity>,
    private readonly users: UsersService,
    private readonly clock: Clock,
  ) {}

  async resolveUser(account: VerifiedGoogleAccount): Promise<UserEntity> {
    const user = (await this.findLinked(account.sub)) ?? (await this.linkOrCreate(account));
    if (user.disabled) {
      throw new GoogleSignInFailure('disabled', `user ${user.id} is disabled`);
    }
    return user;
  }

  private async findLinked(sub: string): Promise<UserEntity | null> {
    const identity = await this.identities.findOneBy({ provider: GOOGLE_PROVIDER, subject: sub });
    if (!identity) return null;
    const user = await this.users.findById(identity.userId);
    if (user) return user;
    // The user was deleted: forget the stale link and treat the account as new.
    await this.identities.delete({ id: identity.id });
    return null;
  }

  private async linkOrCreate(account: VerifiedGoogleAccount): Promise<UserEntity> {
    const user = (await this.users.findByEmail(account.email)) ?? (await this.create(account));
    if (user.disabled) return user;
    try {
      await this.identities.insert({
        id: randomUUID(),
        provider: GOOGLE_PROVIDER,
        subject: account.sub,
        userId: user.id,
        email: user.email,
        createdAt: this.clock.now(),
      });
      this.logger.log(`Linked a Google account to user ${user.id}`);
      return user;
    } catch (error) {
      // A concurrent callback for the same Google account linked it first: use its link.
      if (!isUniqueViolation(error)) throw error;
      const linked = await this.findLinked(account.sub);
      if (!linked) throw error;
      return linked;
    }
  }

  private async create(account: VerifiedGoogleAccount): Promise<UserEntity> {
    try {
      const user = await this.users.create({
        email: account.email,
        name: account.name?.slice(0, 100) ?? null,
        roles: DEFAULT_ROLES,
      });
      this.logger.log(`Created user ${user.id} from a Google sign-in`);
      return user;
    } catch (error) {
      // Someone registered the email meanwhile: link to that user instead.
      if (!(error instanceof KeycardError && error.code === ErrorCode.Conflict)) throw error;
      const existing = await this.users.findByEmail(account.email);
      if (!existing) throw error;
      return existing;
    }
  }

  /** The identities linked to a user (for tests and, later, the account page). */
  listForUser(userId: string): Promise<UserIdentityEntity[]> {
    return this.identities.findBy({ userId });
  }
}
