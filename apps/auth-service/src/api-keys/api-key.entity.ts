import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn, type ApiKeyEnvironment, type ApiKeyType } from '@keycard/common';

/**
 * An API key of a user, stored as the SHA-256 of the whole key only (`key_hash`, unique: the one
 * lookup path, so no secret is ever compared in the application). `prefix` is the displayable
 * start (`sk_live_AbCd`). A rotated key names its successor in `replaced_by` and keeps working
 * until its (shortened) `expires_at`.
 */
@Entity('api_keys')
@Index('idx_api_keys_user', ['userId'])
export class ApiKeyEntity {
  /** A UUID generated in code (`randomUUID()`). */
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'pk_api_keys' })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 8 })
  type!: ApiKeyType;

  @Column({ type: 'varchar', length: 8 })
  environment!: ApiKeyEnvironment;

  @Column({ type: 'varchar', length: 16 })
  prefix!: string;

  @Index('uq_api_keys_hash', { unique: true })
  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash!: string;

  @Column({ type: 'simple-json' })
  scopes!: string[];

  /** Requests a minute; null means the service default (`API_KEY_RATE_LIMIT`). */
  @Column({ name: 'rate_limit', type: 'integer', nullable: true })
  rateLimit!: number | null;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'expires_at', nullable: true })
  expiresAt!: number | null;

  @EpochColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: number | null;

  /** Moved forward only, from the batched usage reports of the resource services. */
  @EpochColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt!: number | null;

  /** Id of the key that replaced this one in a rotation. */
  @Column({ name: 'replaced_by', type: 'varchar', length: 36, nullable: true })
  replacedBy!: string | null;
}
