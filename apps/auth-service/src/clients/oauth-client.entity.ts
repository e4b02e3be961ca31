import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';
import type { ClientType } from './client-registration';

/**
 * A registered client (RFC 6749 §2): a service or a web app (confidential, `client_secret_basic` /
 * `_post`), or a public SPA / native app whose `secret_hash` is of a random value never shown.
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

  /** `service` (client credentials), `web` (confidential app), `spa` / `native` (public apps, no secret). */
  @Column({ type: 'varchar', length: 16, default: 'service' })
  type!: ClientType;

  /** Exact-match redirect URIs of an app (section 5); empty for a service. */
  @Column({ name: 'redirect_uris', type: 'simple-json', default: '[]' })
  redirectUris!: string[];

  @Column({ name: 'post_logout_redirect_uris', type: 'simple-json', default: '[]' })
  postLogoutRedirectUris!: string[];

  /** A first-party app skips the consent page. */
  @Column({ name: 'first_party', type: 'boolean', default: false })
  firstParty!: boolean;

  @Column({ name: 'backchannel_logout_uri', type: 'varchar', length: 2048, nullable: true })
  backchannelLogoutUri!: string | null;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: number | null;
}
