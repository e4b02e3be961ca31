import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';

/**
 * A refresh token, stored as its SHA-256 only: `token_digest` for a token that names its row (found
 * by `id`, then compared), `token_hash` for the older form that does not (found by its hash through
 * a partial index, which holds those rows only). Rotation marks the row (`rotated_at`) and names its
 * successor; `successor_sealed` holds the successor encrypted under a key derived from THIS token,
 * so only a caller holding this token can recover it (the reuse interval's retry answer) and a
 * database dump alone reveals nothing usable.
 */
@Entity('refresh_tokens')
@Index('idx_refresh_tokens_family', ['familyId'])
@Index('idx_refresh_tokens_expires_at', ['expiresAt'])
@Index('uq_refresh_tokens_hash_only', ['tokenHash'], {
  unique: true,
  where: '"token_hash" IS NOT NULL',
})
export class RefreshTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'family_id', type: 'varchar', length: 36 })
  familyId!: string;

  /** SHA-256 of a token that names its row (`refresh-token-format.ts`); null for the older form. */
  @Column({ name: 'token_digest', type: 'varchar', length: 64, nullable: true })
  tokenDigest!: string | null;

  /** SHA-256 of a token of the older form (random bytes only); null for a token naming its row. */
  @Column({ name: 'token_hash', type: 'varchar', length: 64, nullable: true })
  tokenHash!: string | null;

  @Column({ name: 'parent_id', type: 'varchar', length: 36, nullable: true })
  parentId!: string | null;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'expires_at' })
  expiresAt!: number;

  @EpochColumn({ name: 'rotated_at', nullable: true })
  rotatedAt!: number | null;

  @Column({ name: 'successor_id', type: 'varchar', length: 36, nullable: true })
  successorId!: string | null;

  @Column({ name: 'successor_sealed', type: 'varchar', length: 256, nullable: true })
  successorSealed!: string | null;
}
