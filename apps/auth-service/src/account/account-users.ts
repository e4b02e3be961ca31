import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock } from '@keycard/common';
import { PasswordHasher } from '../users/password-hasher';
import { isUniqueViolation } from '../database/unique-violation';
import { UserEntity } from '../users/user.entity';

/** The two user writes of the account flows: a new password, and a confirmed new address. */
@Injectable()
export class AccountUsers {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  /** Stores an argon2id hash of `password` (already checked against the policy). */
  async setPassword(userId: string, password: string, markVerifiedEmail?: string): Promise<void> {
    const passwordHash = await this.hasher.hash(password);
    const updatedAt = this.clock.now();
    await this.users.update({ id: userId }, { passwordHash, updatedAt });
    // A reset link proved the mailbox: the address it was sent to is verified, if still current.
    if (markVerifiedEmail !== undefined) {
      await this.users.update(
        { id: userId, email: markVerifiedEmail },
        { emailVerified: true, updatedAt },
      );
    }
  }

  /**
   * Moves the user from `from` to `to` (verified: the link was mailed there). False when the
   * address changed meanwhile or `to` was taken by someone else since the request.
   */
  async changeEmail(userId: string, from: string, to: string): Promise<boolean> {
    try {
      const result = await this.users.update(
        { id: userId, email: from },
        { email: to, emailVerified: true, updatedAt: this.clock.now() },
      );
      return result.affected === 1;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
