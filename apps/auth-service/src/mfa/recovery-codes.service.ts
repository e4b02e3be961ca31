import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { Clock } from '@keycard/common';
import { writeAtomically } from '../database/atomic-writes';
import { RecoveryCodeEntity } from './recovery-code.entity';
import { hashRecoveryCode, looksLikeRecoveryCode, newRecoveryCodes } from './recovery-codes';

/** A user's ten single-use recovery codes: issued (shown once), used, counted, replaced. */
@Injectable()
export class RecoveryCodesService {
  constructor(
    @InjectRepository(RecoveryCodeEntity)
    private readonly codes: Repository<RecoveryCodeEntity>,
    private readonly clock: Clock,
  ) {}

  /** A new set replacing the old one; the plain codes are returned here and never again. */
  async issue(userId: string): Promise<string[]> {
    const plain = newRecoveryCodes();
    const now = this.clock.now();
    // One transaction: the old set never outlives the new one, and no half set is ever kept.
    await writeAtomically(this.codes.manager.dataSource, [
      {
        query: this.codes
          .createQueryBuilder()
          .delete()
          .where('user_id = :userId', { userId })
          .getQueryAndParameters(),
      },
      {
        query: this.codes
          .createQueryBuilder()
          .insert()
          .values(
            plain.map((code) => ({
              id: randomUUID(),
              userId,
              codeHash: hashRecoveryCode(userId, code),
              createdAt: now,
              usedAt: null,
            })),
          )
          .getQueryAndParameters(),
      },
    ]);
    return plain;
  }

  /**
   * Uses `code` up: true when it was an unused code of the user. One conditional UPDATE, so of
   * two concurrent uses of a code exactly one succeeds.
   */
  async use(userId: string, code: string): Promise<boolean> {
    if (!looksLikeRecoveryCode(code)) return false;
    const result = await this.codes
      .createQueryBuilder()
      .update()
      .set({ usedAt: this.clock.now() })
      .where('user_id = :userId AND code_hash = :hash AND used_at IS NULL', {
        userId,
        hash: hashRecoveryCode(userId, code),
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  left(userId: string): Promise<number> {
    return this.codes.countBy({ userId, usedAt: IsNull() });
  }

  async removeAll(userId: string): Promise<void> {
    await this.codes.delete({ userId });
  }
}
