import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApiKeyEnvironment, ApiKeyType, Clock, hashApiKey, parseApiKey } from '@keycard/common';
import { TableSql } from '../database/table-sql';
import { RevocationEvents } from '../revocation/revocation-events.service';
import { UsersService } from '../users/users.service';
import type { ApiKeyOwnerDirectory } from './api-key-owners';
import { ApiKeyScopePolicy } from './api-key-scopes';
import { API_KEY_SETTINGS, ApiKeySettings } from './api-key-settings';
import { isApiKeyUsable } from './api-key-views';
import { ApiKeyEntity } from './api-key.entity';

/** The RFC 7662 answer for a live API key (a `type` alias so it is a `Record<string, unknown>`). */
export type ApiKeyIntrospection = {
  active: true;
  token_type: 'api_key';
  /** The owner's user id. */
  sub: string;
  /** The key's scopes, space-separated. */
  scope: string;
  key_id: string;
  key_type: ApiKeyType;
  environment: ApiKeyEnvironment;
  /** Seconds since the epoch; absent for a key that does not expire. */
  exp?: number;
  /** Requests a minute. */
  rate_limit: number;
  /**
   * Always empty: an API key acts for its owner only through its scopes, never with the owner's
   * roles, so a leaked key cannot do what only an admin's session can, and a key's power is
   * exactly what its list of scopes says.
   */
  roles: string[];
};

/**
 * Checks and revokes API keys presented by services (`/oauth/introspect`, `/oauth/revoke`).
 * A key is checked offline first (shape and checksum), so garbage never reaches the database;
 * the lookup is by the SHA-256 of the key on a unique index, never a comparison of secrets.
 */
@Injectable()
export class ApiKeyIntrospectionService {
  /** The read by hash, written once: every resource service's cache re-check lands here. */
  private readonly byHash: (keyHash: string) => Promise<ApiKeyEntity | null>;

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly policy: ApiKeyScopePolicy,
    @Inject(UsersService) private readonly owners: ApiKeyOwnerDirectory,
    @Inject(API_KEY_SETTINGS) private readonly settings: ApiKeySettings,
    private readonly clock: Clock,
    private readonly revocations: RevocationEvents,
  ) {
    this.byHash = new TableSql(keys.manager.dataSource, ApiKeyEntity).findOne(['keyHash']);
  }

  /** The claims of a live key; null when it is malformed, unknown, revoked, expired or its owner is disabled. */
  async introspect(key: string): Promise<ApiKeyIntrospection | null> {
    if (!parseApiKey(key)) return null;
    const row = await this.byHash(hashApiKey(key));
    if (!row || !isApiKeyUsable(row, this.clock.now())) return null;
    const owner = await this.owners.findById(row.userId);
    if (!owner || owner.disabled) return null;
    const scopes = this.policy.effective(row.type, owner.roles, row.scopes);
    return {
      active: true,
      token_type: 'api_key',
      sub: row.userId,
      scope: scopes.join(' '),
      key_id: row.id,
      key_type: row.type,
      environment: row.environment,
      ...(row.expiresAt !== null ? { exp: Math.floor(row.expiresAt / 1000) } : {}),
      rate_limit: row.rateLimit ?? this.settings.defaultRateLimit,
      roles: [],
    };
  }

  /** Revokes the key if it exists (RFC 7009: unknown or malformed keys are not an error). */
  async revokeByKey(key: string): Promise<void> {
    if (!parseApiKey(key)) return;
    const row = await this.keys.findOneBy({ keyHash: hashApiKey(key), revokedAt: IsNull() });
    if (row === null) return;
    const update = this.keys
      .createQueryBuilder()
      .update()
      .set({ revokedAt: this.clock.now() })
      .where('id = :id AND revoked_at IS NULL', { id: row.id });
    if (this.revocations === undefined) await update.execute();
    else
      await this.revocations.write(
        [{ kind: 'api_key', subject: row.id }],
        [{ query: update.getQueryAndParameters(), requireOneRow: true }],
      );
  }
}
