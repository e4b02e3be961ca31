import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';

/**
 * One single-use recovery code of a user, stored as a hash only (`recovery-codes.ts`). A new set
 * replaces the old one; a used code keeps its row (with `used_at`) until then.
 */
@Entity('mfa_recovery_codes')
@Index('idx_mfa_recovery_codes_user', ['userId', 'codeHash'])
export class RecoveryCodeEntity {
  @PrimaryColumn({
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'pk_mfa_recovery_codes',
  })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'used_at', nullable: true })
  usedAt!: number | null;
}
