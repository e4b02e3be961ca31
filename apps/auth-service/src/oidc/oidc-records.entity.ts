import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';

/**
 * An authorization code (API.md section 5), stored as its SHA-256 only. Single use: redemption
 * sets `redeemed_at` and `family_id` (the login it starts, which a second redemption revokes)
 * with one conditional update, in the transaction that writes that login.
 */
@Entity('oidc_codes')
@Index('idx_oidc_codes_expires_at', ['expiresAt'])
export class OidcCodeEntity {
  @PrimaryColumn({
    name: 'code_hash',
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'pk_oidc_codes',
  })
  codeHash!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 128 })
  clientId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  /** The browser session the code was issued in. */
  @Column({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId!: string;

  @Column({ name: 'redirect_uri', type: 'varchar', length: 2048 })
  redirectUri!: string;

  /** The S256 PKCE challenge (base64url, 43 characters). */
  @Column({ name: 'code_challenge', type: 'varchar', length: 64 })
  codeChallenge!: string;

  @Column({ type: 'varchar', length: 1024 })
  scope!: string;

  @Column({ type: 'varchar', length: 512, nullable: true })
  nonce!: string | null;

  /** When the user last proved who they are (`auth_time`), epoch ms. */
  @EpochColumn({ name: 'auth_time' })
  authTime!: number;

  @Column({ type: 'simple-json' })
  amr!: string[];

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'expires_at' })
  expiresAt!: number;

  @EpochColumn({ name: 'redeemed_at', nullable: true })
  redeemedAt!: number | null;

  @Column({ name: 'family_id', type: 'varchar', length: 36, nullable: true })
  familyId!: string | null;

  /** When a second redemption was refused (the record of a replay; it revoked `family_id`). */
  @EpochColumn({ name: 'replayed_at', nullable: true })
  replayedAt!: number | null;
}

/** What a user allowed an app (not `firstParty`) to have: remembered per user, client and scopes. */
@Entity('oidc_consents')
@Index('idx_oidc_consents_client', ['clientId'])
export class OidcConsentEntity {
  @PrimaryColumn({
    name: 'user_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'pk_oidc_consents',
  })
  userId!: string;

  @PrimaryColumn({
    name: 'client_id',
    type: 'varchar',
    length: 128,
    primaryKeyConstraintName: 'pk_oidc_consents',
  })
  clientId!: string;

  /** Every scope consented to so far, space-separated. */
  @Column({ type: 'varchar', length: 1024 })
  scope!: string;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'updated_at' })
  updatedAt!: number;
}

/**
 * An authorization request waiting for the user (sign-in or consent), so that it survives the
 * sign-in form: found by the SHA-256 of its handle, gone after `expires_at` or once answered.
 */
@Entity('oidc_pending_requests')
@Index('idx_oidc_pending_expires_at', ['expiresAt'])
export class OidcPendingRequestEntity {
  @PrimaryColumn({
    name: 'handle_hash',
    type: 'varchar',
    length: 64,
    primaryKeyConstraintName: 'pk_oidc_pending_requests',
  })
  handleHash!: string;

  /** The validated request, as JSON (`AuthorizationRequest`). */
  @Column({ type: 'text' })
  request!: string;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'expires_at' })
  expiresAt!: number;
}

/**
 * An app's login started from a browser session: its refresh family (the `sid` of its tokens),
 * so that the session's end can revoke it and tell the app (back-channel logout), and a removed
 * connected app loses it.
 */
@Entity('oidc_app_logins')
@Index('idx_oidc_app_logins_session', ['sessionId'])
@Index('idx_oidc_app_logins_user_client', ['userId', 'clientId'])
export class OidcAppLoginEntity {
  @PrimaryColumn({
    name: 'family_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'pk_oidc_app_logins',
  })
  familyId!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 128 })
  clientId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  /** When its session's end was handled (revoked, app told): set once, by one instance. */
  @EpochColumn({ name: 'ended_at', nullable: true })
  endedAt!: number | null;
}

export const OIDC_ENTITIES = [
  OidcCodeEntity,
  OidcConsentEntity,
  OidcPendingRequestEntity,
  OidcAppLoginEntity,
];
