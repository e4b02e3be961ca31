import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';
import { USER_AGENT_MAX_LENGTH } from './session.store';

/**
 * A browser session in the embedded store (see `SessionRecord`). Found by the unique
 * `token_hash` (the SHA-256 of the cookie value; the value itself is never stored), listed and
 * ended per user through `idx_sessions_user`.
 */
@Entity('sessions')
@Index('idx_sessions_user', ['userId'])
@Index('idx_sessions_idle_expires_at', ['idleExpiresAt'])
export class SessionEntity {
  /** The public handle: a UUID generated in code. */
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'pk_sessions' })
  id!: string;

  @Index('uq_sessions_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'last_seen_at' })
  lastSeenAt!: number;

  @EpochColumn({ name: 'idle_expires_at' })
  idleExpiresAt!: number;

  @EpochColumn({ name: 'expires_at' })
  expiresAt!: number;

  @Column({ name: 'user_agent', type: 'varchar', length: USER_AGENT_MAX_LENGTH })
  userAgent!: string;

  /** Enough for any IPv6 text form (45 characters). */
  @Column({ type: 'varchar', length: 64 })
  ip!: string;

  @Column({ name: 'csrf_token', type: 'varchar', length: 64 })
  csrfToken!: string;

  /** RFC 8176 methods of the sign-in, space-separated (`auth-context/sign-in-context.ts`). */
  @Column({ type: 'varchar', length: 64, default: '' })
  amr!: string;

  /** When the sign-in completed; null for sessions from before it was recorded. */
  @EpochColumn({ name: 'auth_time', nullable: true })
  authTime!: number | null;
}
