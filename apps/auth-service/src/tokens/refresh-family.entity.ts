import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';

/**
 * One login: every refresh token descended from it shares the family, and the family id is the
 * `sid` claim of the access tokens issued along it. Revoking the family ends the login.
 */
@Entity('refresh_families')
@Index('idx_refresh_families_user', ['userId'])
@Index('idx_refresh_families_revoked_at', ['revokedAt'])
export class RefreshFamilyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 128, nullable: true })
  clientId!: string | null;

  @Column({ type: 'varchar', length: 1024, default: '' })
  scope!: string;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  /** RFC 8176 methods of the sign-in that started this login, space-separated (`auth-context/sign-in-context.ts`). */
  @Column({ type: 'varchar', length: 64, default: '' })
  amr!: string;

  /** When that sign-in completed; null for logins started before it was recorded (then `createdAt`). */
  @EpochColumn({ name: 'auth_time', nullable: true })
  authTime!: number | null;

  @EpochColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: number | null;

  @Column({ name: 'revoke_reason', type: 'varchar', length: 32, nullable: true })
  revokeReason!: string | null;
}
