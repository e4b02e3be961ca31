import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import {
  ApiKeyEnvironment,
  ApiKeyType,
  Clock,
  ErrorCode,
  generateApiKey,
  hashApiKey,
  KeycardError,
} from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { AuditActor, AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { RevocationEvents } from '../revocation/revocation-events.service';
import { UserEventsService } from '../users/user-events.service';
import { UsersService } from '../users/users.service';
import type { ApiKeyOwner, ApiKeyOwnerDirectory } from './api-key-owners';
import { ApiKeyScopePolicy } from './api-key-scopes';
import {
  DEFAULT_ROTATION_GRACE_SECONDS,
  MAX_API_KEY_RATE_LIMIT,
  MAX_ROTATION_GRACE_SECONDS,
} from './api-key-settings';
import { ApiKeyUsageService } from './api-key-usage.service';
import {
  apiKeyStatus,
  ApiKeyUsageView,
  ApiKeyView,
  CreatedApiKey,
  toApiKeyView,
  toCreatedApiKey,
} from './api-key-views';
import { ApiKeyEntity } from './api-key.entity';

export interface NewApiKey {
  name: string;
  type?: ApiKeyType;
  environment?: ApiKeyEnvironment;
  /** Omitted: the defaults of the scope policy. */
  scopes?: string[];
  /** Epoch ms; must be in the future. Omitted: the key does not expire. */
  expiresAt?: number;
  /** Requests a minute, 1..100000. Omitted: the service default. */
  rateLimit?: number;
}

function notFound(): KeycardError {
  return new KeycardError(ErrorCode.NotFound, {
    message: 'API key not found',
    reason: 'no such API key for this user',
  });
}

function badRequest(message: string): KeycardError {
  return new KeycardError(ErrorCode.BadRequest, { message, reason: message });
}

/**
 * The owner's side of API keys: create, list, rotate, revoke, usage. Keys are stored as hashes
 * only; a user only ever sees or touches their own keys (404 for anyone else's). Disabling a
 * user revokes all of their keys.
 */
@Injectable()
export class ApiKeysService implements OnModuleInit {
  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly usageCounts: ApiKeyUsageService,
    private readonly policy: ApiKeyScopePolicy,
    @Inject(UsersService) private readonly owners: ApiKeyOwnerDirectory,
    @Inject(UserEventsService) private readonly userEvents: Pick<UserEventsService, 'onDisabled'>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: KeycardMetrics,
    private readonly revocations: RevocationEvents,
  ) {}

  onModuleInit(): void {
    this.userEvents.onDisabled((userId) => this.revokeAllForUser(userId));
  }

  /** A new key for `userId`; the answer is the only place the key itself ever appears. */
  async create(userId: string, input: NewApiKey): Promise<CreatedApiKey> {
    checkLimits(input, this.clock.now());
    const owner = await this.activeOwner(userId);
    const type = input.type ?? 'sk';
    const { entity, key } = await this.insertKey({
      userId,
      name: input.name,
      type,
      environment: input.environment ?? 'live',
      scopes: this.policy.resolve(type, owner.roles, input.scopes),
      expiresAt: input.expiresAt ?? null,
      rateLimit: input.rateLimit ?? null,
    });
    void this.audit.record({
      type: AuditEventType.ApiKeyCreated,
      outcome: 'success',
      actor: { type: 'user', id: userId },
      subjectId: entity.id,
      details: { type: entity.type, environment: entity.environment, scopes: entity.scopes },
    });
    this.metrics.tokensIssued.inc({ kind: 'api_key' });
    return toCreatedApiKey(entity, key);
  }

  /** Every key of the user, newest first, without secrets. */
  async list(userId: string): Promise<ApiKeyView[]> {
    const now = this.clock.now();
    const rows = await this.keys.find({
      where: { userId },
      order: { createdAt: 'DESC', id: 'ASC' },
    });
    return rows.map((row) => toApiKeyView(row, now));
  }

  /**
   * A new key with the same settings (scopes narrowed to what the owner may hold now); the old
   * one keeps working for `graceSeconds`, then stops. 409 for a key that is revoked, expired or
   * already rotated. The old key is claimed by one conditional UPDATE, so of two concurrent
   * rotations exactly one wins; the loser's unseen new key is deleted again.
   */
  async rotate(
    userId: string,
    id: string,
    graceSeconds = DEFAULT_ROTATION_GRACE_SECONDS,
  ): Promise<CreatedApiKey> {
    if (!isWholeBetween(graceSeconds, 0, MAX_ROTATION_GRACE_SECONDS)) {
      throw badRequest(
        `graceSeconds must be a whole number between 0 and ${MAX_ROTATION_GRACE_SECONDS}`,
      );
    }
    const old = await this.findOwned(userId, id);
    const owner = await this.activeOwner(userId);
    if (apiKeyStatus(old, this.clock.now()) !== 'active') throw notRotatable();
    const { entity, key } = await this.insertKey({
      userId,
      name: old.name,
      type: old.type,
      environment: old.environment,
      scopes: this.policy.effective(old.type, owner.roles, old.scopes),
      expiresAt: old.expiresAt,
      rateLimit: old.rateLimit,
    });
    const now = this.clock.now();
    const graceEnd = now + graceSeconds * 1000;
    const claimed = await this.claimForRotation(old, entity.id, graceEnd, now);
    if (!claimed) {
      await this.keys.delete({ id: entity.id });
      throw notRotatable();
    }
    void this.audit.record({
      type: AuditEventType.ApiKeyRotated,
      outcome: 'success',
      actor: { type: 'user', id: userId },
      subjectId: old.id,
      details: { replacedBy: entity.id, graceSeconds },
    });
    this.metrics.tokensIssued.inc({ kind: 'api_key' });
    return toCreatedApiKey(entity, key);
  }

  /**
   * Revokes one key at once (idempotent for the owner; 404 for anyone else). `actor`: who revoked
   * it when it is not the owner (an admin); the owner by default.
   */
  async revoke(userId: string, id: string, actor?: AuditActor): Promise<void> {
    const key = await this.findOwned(userId, id);
    await this.markRevoked([key.id], 'id = :id AND revoked_at IS NULL', { id: key.id });
    void this.audit.record({
      type: AuditEventType.ApiKeyRevoked,
      outcome: 'success',
      actor: actor ?? { type: 'user', id: userId },
      subjectId: key.id,
    });
  }

  /**
   * Revokes every key of a user (the user was disabled), each recorded as `api_key.revoked` with
   * reason `owner_disabled` (the actor is whoever disabled the user). Idempotent.
   */
  async revokeAllForUser(userId: string): Promise<void> {
    const live = await this.keys.find({
      where: { userId, revokedAt: IsNull() },
      select: { id: true },
    });
    if (live.length === 0) return;
    await this.markRevoked(
      live.map((key) => key.id),
      'user_id = :userId AND revoked_at IS NULL',
      { userId },
    );
    for (const key of live) {
      void this.audit.record({
        type: AuditEventType.ApiKeyRevoked,
        outcome: 'success',
        subjectId: key.id,
        details: { reason: 'owner_disabled' },
      });
    }
  }

  /** Requests a day, oldest first (about the last year). */
  async usage(userId: string, id: string): Promise<ApiKeyUsageView> {
    const key = await this.findOwned(userId, id);
    return { id: key.id, days: await this.usageCounts.daysOf(key.id) };
  }

  /**
   * Marks `old` as replaced, ending at its grace end, unless it was revoked, rotated or expired
   * meanwhile; its revocation event (effective at the grace end) goes in the same transaction.
   */
  private async claimForRotation(
    old: ApiKeyEntity,
    replacedBy: string,
    graceEnd: number,
    now: number,
  ): Promise<boolean> {
    const end = old.expiresAt === null ? graceEnd : Math.min(old.expiresAt, graceEnd);
    const update = this.keys
      .createQueryBuilder()
      .update()
      .set({ replacedBy, expiresAt: end })
      .where(
        'id = :id AND revoked_at IS NULL AND replaced_by IS NULL AND (expires_at IS NULL OR expires_at > :now)',
        { id: old.id, now },
      );
    return this.revocations.write(
      [{ kind: 'api_key', subject: old.id, at: end }],
      [{ query: update.getQueryAndParameters(), requireOneRow: true }],
    );
  }

  /** Sets `revokedAt` where `condition` holds, with an `api_key` revocation event per key (one transaction). */
  private async markRevoked(
    ids: string[],
    condition: string,
    parameters: Record<string, string>,
  ): Promise<void> {
    const update = this.keys
      .createQueryBuilder()
      .update()
      .set({ revokedAt: this.clock.now() })
      .where(condition, parameters);
    await this.revocations.write(
      ids.map((id) => ({ kind: 'api_key', subject: id })),
      [{ query: update.getQueryAndParameters() }],
    );
  }

  /** 404, without a query, for a malformed id; 404 for a key of another user. */
  private async findOwned(userId: string, id: string): Promise<ApiKeyEntity> {
    if (!isUUID(id)) throw notFound();
    const key = await this.keys.findOneBy({ id, userId });
    if (!key) throw notFound();
    return key;
  }

  /** The current owner (roles are read fresh, not taken from a possibly older token). */
  private async activeOwner(userId: string): Promise<ApiKeyOwner> {
    const owner = await this.owners.findById(userId);
    if (!owner || owner.disabled) {
      throw new KeycardError(ErrorCode.InvalidToken, {
        reason: 'API key owner disabled or deleted',
      });
    }
    return owner;
  }

  private async insertKey(
    fields: Pick<
      ApiKeyEntity,
      'userId' | 'name' | 'type' | 'environment' | 'scopes' | 'expiresAt' | 'rateLimit'
    >,
  ): Promise<{ entity: ApiKeyEntity; key: string }> {
    const { key, prefix } = generateApiKey(fields.type, fields.environment);
    const entity = this.keys.create({
      ...fields,
      id: randomUUID(),
      prefix,
      keyHash: hashApiKey(key),
      createdAt: this.clock.now(),
      revokedAt: null,
      lastUsedAt: null,
      replacedBy: null,
    });
    await this.keys.insert(entity);
    return { entity, key };
  }
}

function notRotatable(): KeycardError {
  return new KeycardError(ErrorCode.Conflict, {
    message: 'Only an active API key can be rotated',
    reason: 'API key revoked, expired or already rotated',
  });
}

function checkLimits(input: NewApiKey, now: number): void {
  if (input.expiresAt !== undefined && !(input.expiresAt > now)) {
    throw badRequest('expiresAt must be in the future');
  }
  const { rateLimit } = input;
  if (rateLimit !== undefined && !isWholeBetween(rateLimit, 1, MAX_API_KEY_RATE_LIMIT)) {
    throw badRequest(`rateLimit must be a whole number between 1 and ${MAX_API_KEY_RATE_LIMIT}`);
  }
}

function isWholeBetween(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
