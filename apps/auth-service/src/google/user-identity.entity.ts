import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';

/**
 * A user's account at an external provider. Found by (provider, subject) first, so a user whose
 * email changed at Google is still recognised; `email` records the address at link time only.
 */
@Entity('user_identities')
@Index('uq_user_identities_provider_subject', ['provider', 'subject'], { unique: true })
@Index('idx_user_identities_user', ['userId'])
export class UserIdentityEntity {
  /** A UUID generated in code. */
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'pk_user_identities' })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  /** The provider's stable account id (`sub`). */
  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;
}
