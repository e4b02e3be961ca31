import { EpochColumn } from '@keycard/common';
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `next` is published but not signing; `active` signs; `retiring` only verifies; `revoked` does neither. */
export type SigningKeyStatus = 'next' | 'active' | 'retiring' | 'revoked';

/** The public half of an RSA key as stored and published (RFC 7517), never a private member. */
export interface PublicRsaJwk {
  kty: 'RSA';
  n: string;
  e: string;
}

/**
 * One RS256 signing key. The two partial unique indexes are what keep several instances from ever
 * holding two `active` (or two `next`) keys: a racing insert or update fails instead.
 */
@Entity('signing_keys')
@Check('ck_signing_keys_status', "status IN ('next', 'active', 'retiring', 'revoked')")
@Index('uq_signing_keys_one_active', ['status'], { unique: true, where: "status = 'active'" })
@Index('uq_signing_keys_one_next', ['status'], { unique: true, where: "status = 'next'" })
export class SigningKeyEntity {
  /** Random, URL-safe; the JWT header `kid`. */
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_signing_keys' })
  kid!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: SigningKeyStatus;

  @Column({ name: 'public_jwk', type: 'simple-json' })
  publicJwk!: PublicRsaJwk;

  /** PKCS#8 private key sealed with AES-256-GCM (`KeyCipher`); emptied when the key is revoked. */
  @Column({ name: 'private_key', type: 'text' })
  privateKey!: string;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  /** When the key entered the JWKS. */
  @EpochColumn({ name: 'published_at' })
  publishedAt!: number;

  @EpochColumn({ name: 'activated_at', nullable: true })
  activatedAt!: number | null;

  @EpochColumn({ name: 'retired_at', nullable: true })
  retiredAt!: number | null;

  /** Retired + access-token lifetime + leeway: the last moment a token it signed can still be valid. */
  @EpochColumn({ name: 'verify_until', nullable: true })
  verifyUntil!: number | null;

  @EpochColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: number | null;
}
