import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';

/** Roles a new user gets. */
export const DEFAULT_ROLES: readonly string[] = ['user'];

/**
 * A person who can sign in. Emails are stored lowercased, so the unique index is case-insensitive.
 * `/admin/users` pages in (created_at, id) order; on PostgreSQL its prefix and substring searches
 * have indexes the schema sync cannot describe (operator classes), kept by the migration
 * `AdminUserSearch1764300006000` and declared here only so that the sync leaves them alone.
 */
@Entity('users')
@Index('uq_users_email', ['email'], { unique: true })
@Index('idx_users_created_at_id', ['createdAt', 'id'])
@Index('idx_users_email_pattern', { synchronize: false })
@Index('idx_users_email_trgm', { synchronize: false })
@Index('idx_users_name_trgm', { synchronize: false })
export class UserEntity {
  /** A UUID generated in code (`randomUUID()`). */
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'pk_users' })
  id!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  name!: string | null;

  /** argon2id (PHC string) or a legacy bcrypt hash; null for users who only sign in with Google. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'simple-json' })
  roles!: string[];

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /**
   * Whether the address is known to belong to the user: set by a Google sign-in whose verified
   * email is this one (mail verification is to come). An unverified account is not linked to a
   * Google account without its password.
   */
  @Column({ name: 'email_verified', type: 'boolean', default: false })
  emailVerified!: boolean;

  /**
   * The user's active second factors, space-separated (`totp`, `passkey`; empty for none), kept by
   * `mfa/` next to the factors themselves so a password sign-in knows whether to ask for one
   * without another read.
   */
  @Column({ name: 'mfa_methods', type: 'varchar', length: 64, default: '' })
  mfaMethods!: string;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'updated_at' })
  updatedAt!: number;
}
