import { Column, Entity, Index, PrimaryColumn, ValueTransformer } from 'typeorm';
import { EpochColumn } from '@keycard/common';

export type FactorKind = 'totp' | 'passkey';
export type FactorStatus = 'pending' | 'active';

/** `pg` answers bigint as text. */
const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * A second factor of a user: a TOTP authenticator (its secret sealed with `FactorCipher`, bound
 * to this row's id) or a passkey (a WebAuthn credential: id, public key, signature counter).
 * A TOTP factor is `pending` from enrolment until its first code confirms it.
 */
@Entity('mfa_factors')
@Index('idx_mfa_factors_user', ['userId'])
@Index('uq_mfa_factors_credential', ['credentialId'], { unique: true })
export class MfaFactorEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'pk_mfa_factors' })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: FactorKind;

  @Column({ type: 'varchar', length: 16 })
  status!: FactorStatus;

  /** Shown in lists ("Authenticator app", a passkey's name). */
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** TOTP: the base32 secret, sealed (`FactorCipher`, context `totp:<id>`). */
  @Column({ name: 'secret_sealed', type: 'varchar', length: 255, nullable: true })
  secretSealed!: string | null;

  /** TOTP: the time step of the last accepted code; only later steps are accepted (no replay). */
  @Column({ name: 'last_used_step', type: 'bigint', nullable: true, transformer: bigintNumber })
  lastUsedStep!: number | null;

  /** Passkey: the WebAuthn credential id, base64url. */
  @Column({ name: 'credential_id', type: 'varchar', length: 1024, nullable: true })
  credentialId!: string | null;

  /** Passkey: the COSE public key, base64url. */
  @Column({ name: 'public_key', type: 'text', nullable: true })
  publicKey!: string | null;

  /** Passkey: the authenticator's signature counter (0 for authenticators that keep none). */
  @Column({ name: 'sign_count', type: 'bigint', default: 0, transformer: bigintNumber })
  signCount!: number;

  /** Passkey: how the browser may reach it (`internal`, `usb`, …), space-separated. */
  @Column({ type: 'varchar', length: 128, default: '' })
  transports!: string;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt!: number | null;
}
