import type { ApiKeyEnvironment, ApiKeyType } from '@keycard/common';
import type { ApiKeyEntity } from './api-key.entity';

/** `expiring`: rotated, still working until the end of its grace period. */
export type ApiKeyStatus = 'active' | 'expiring' | 'expired' | 'revoked';

/** What the owner sees of a key in lists: never the key or its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  type: ApiKeyType;
  environment: ApiKeyEnvironment;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  rateLimit: number | null;
  status: ApiKeyStatus;
}

/** The answer to a create or rotate: the only time `key` is ever shown. */
export interface CreatedApiKey {
  id: string;
  name: string;
  key: string;
  prefix: string;
  type: ApiKeyType;
  environment: ApiKeyEnvironment;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  rateLimit: number | null;
}

export interface ApiKeyUsageDay {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  count: number;
}

export interface ApiKeyUsageView {
  id: string;
  days: ApiKeyUsageDay[];
}

type KeyState = Pick<ApiKeyEntity, 'revokedAt' | 'expiresAt' | 'replacedBy'>;

export function apiKeyStatus(key: KeyState, now: number): ApiKeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt <= now) return 'expired';
  return key.replacedBy !== null ? 'expiring' : 'active';
}

/** Whether the key authenticates requests at `now` (active, or rotated but within its grace). */
export function isApiKeyUsable(key: KeyState, now: number): boolean {
  const status = apiKeyStatus(key, now);
  return status === 'active' || status === 'expiring';
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function toApiKeyView(key: ApiKeyEntity, now: number): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    type: key.type,
    environment: key.environment,
    scopes: [...key.scopes],
    createdAt: new Date(key.createdAt).toISOString(),
    lastUsedAt: iso(key.lastUsedAt),
    expiresAt: iso(key.expiresAt),
    rateLimit: key.rateLimit,
    status: apiKeyStatus(key, now),
  };
}

export function toCreatedApiKey(entity: ApiKeyEntity, key: string): CreatedApiKey {
  return {
    id: entity.id,
    name: entity.name,
    key,
    prefix: entity.prefix,
    type: entity.type,
    environment: entity.environment,
    scopes: [...entity.scopes],
    createdAt: new Date(entity.createdAt).toISOString(),
    expiresAt: iso(entity.expiresAt),
    rateLimit: entity.rateLimit,
  };
}
