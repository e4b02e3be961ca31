import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';

/**
 * A registered service client (RFC 6749 §2: confidential, `client_secret_basic`/`_post`).
 *
 * `secret_hash` is the SHA-256 hex of the secret, deliberately not a password hash: client secrets
 * are generated with 256 bits of entropy (or set by the operator in `BOOTSTRAP_CLIENTS`), so a slow
 * hash adds no protection, and it would cap client-credentials grants at a few hundred a second.
 */
@Entity('oauth_clients')
export class OAuthClientEntity {
  @PrimaryColumn({
    name: 'client_id',
    type: 'varchar',
    length: 128,
    primaryKeyConstraintName: 'pk_oauth_clients',
  })
  clientId!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash!: string;

  /** Every scope the client may ask for; a client-credentials grant gets a subset of these. */
  @Column({ type: 'simple-json' })
  scopes!: string[];

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: number | null;
}
