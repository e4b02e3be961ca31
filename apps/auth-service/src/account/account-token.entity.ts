import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';

/** What a mailed link does when it is used. */
export type AccountTokenPurpose = 'verify_email' | 'reset_password' | 'change_email';

/**
 * A one-time link token (256 bits) mailed to a user: only its SHA-256 is stored. Used once
 * (`usedAt` set by one conditional UPDATE), dead after `expiresAt`, and voided by a newer token
 * of the same purpose for the same user.
 */
@Entity('account_tokens')
@Index('uq_account_tokens_hash', ['tokenHash'], { unique: true })
// With `usedAt`: issuing a link voids the user's live links of its purpose, and reads only those.
@Index('ix_account_tokens_user_used', ['userId', 'purpose', 'usedAt'])
export class AccountTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'pk_account_tokens' })
  id!: string;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 20 })
  purpose!: AccountTokenPurpose;

  /** The address the link was mailed to: the one it verifies, or the new one of a change. */
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'expires_at' })
  expiresAt!: number;

  /** Set when the link is used or voided by a newer one. */
  @EpochColumn({ name: 'used_at', nullable: true })
  usedAt!: number | null;
}
