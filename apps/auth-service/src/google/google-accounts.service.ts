import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import { isUniqueViolation } from '../database/unique-violation';
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
 * Who a Google account signs in as: a user, or — for an existing account whose address is not
 * verified and which has a password — nobody until that account's password is given (whoever
 * registered the address first may not own it: a pre-account hijack).
 */
export type GoogleResolution =
  | { kind: 'user'; user: UserEntity }
  | { kind: 'password_required'; user: UserEntity };

/**
 * Finds the Keycard user of a Google account: by (google, sub) first, so an email changed at
 * Google still finds the same user; else the user with that (verified) email, linked rather than
 * duplicated when that user's address is verified (or the account has no password to prove);
 * else a new user without a password. A link or a new user marks the address verified, since
 * Google verified it. Disabled users are refused.
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

  async resolveUser(account: VerifiedGoogleAccount): Promise<GoogleResolution> {
    const linked = await this.findLinked(account.sub);
    const resolution: GoogleResolution = linked
      ? { kind: 'user', user: linked }
      : await this.linkOrCreate(account);
    if (resolution.user.disabled) {
      throw new GoogleSignInFailure('disabled', `user ${resolution.user.id} is disabled`);
    }
    if (linked) await this.users.markEmailVerified(linked, account.email);
    return resolution;
  }

  /**
   * Links the Google account to `user` (whose password was just checked, or whose address is
   * verified) and marks the address verified when it is the Google account's. Returns the user
   * the Google account is linked to: `user`, or the winner of a concurrent link.
   */
  async link(user: UserEntity, account: VerifiedGoogleAccount): Promise<UserEntity> {
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
    } catch (error) {
      // A concurrent callback for the same Google account linked it first: use its link.
      if (!isUniqueViolation(error)) throw error;
      const linked = await this.findLinked(account.sub);
      if (!linked) throw error;
      return linked;
    }
    await this.users.markEmailVerified(user, account.email);
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

  private async linkOrCreate(account: VerifiedGoogleAccount): Promise<GoogleResolution> {
    const user = (await this.users.findByEmail(account.email)) ?? (await this.create(account));
    if (user.disabled) return { kind: 'user', user };
    if (!user.emailVerified && user.passwordHash !== null) {
      return { kind: 'password_required', user };
    }
    return { kind: 'user', user: await this.link(user, account) };
  }

  private async create(account: VerifiedGoogleAccount): Promise<UserEntity> {
    try {
      const user = await this.users.create({
        email: account.email,
        name: account.name?.slice(0, 100) ?? null,
        roles: DEFAULT_ROLES,
        emailVerified: true,
      });
      this.logger.log(`Created user ${user.id} from a Google sign-in`);
      return user;
    } catch (error) {
      // Someone registered the email meanwhile: that user, under the same rules as any other.
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
