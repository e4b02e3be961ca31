import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';

export type GoogleGrantKind = 'transaction' | 'handoff' | 'link';

/**
 * Short-lived, single-use records of the Google flow, found by the SHA-256 of a random value that
 * only the browser (or app) holds: a sign-in in progress (keyed by its `state`) or a one-time
 * hand-off code for an SPA, or a link to an unverified account waiting for that account's password.
 * Consumed by one conditional DELETE, so each is usable once.
 */
@Entity('google_grants')
@Index('idx_google_grants_expires_at', ['expiresAt'])
export class GoogleGrantEntity {
  @PrimaryColumn({
    name: 'key_hash',
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'pk_google_grants',
  })
  keyHash!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: GoogleGrantKind;

  /**
   * Transaction: PKCE verifier, nonce, returnTo, mode. Hand-off: the user id. Link: the user id,
   * the Google account (sub, email, name) and the transaction's mode and returnTo.
   */
  @Column({ type: 'simple-json' })
  payload!: Record<string, string>;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'expires_at' })
  expiresAt!: number;
}
