import { ManualClock } from '@keycard/common';
import type { DataSource } from 'typeorm';
import type { Recorders } from '../testing/test-recorders';
import { testRecorders } from '../testing/test-recorders';
import type { UserDisabledListener } from '../users/user-events.service';
import { ApiKeyIntrospectionService } from './api-key-introspection.service';
import type { ApiKeyOwner, ApiKeyOwnerDirectory } from './api-key-owners';
import { ApiKeyScopePolicy } from './api-key-scopes';
import { DEFAULT_API_KEY_RATE_LIMIT } from './api-key-settings';
import { ApiKeyUsageEntity } from './api-key-usage.entity';
import { ApiKeyUsageService } from './api-key-usage.service';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';

/*
 * Test-only wiring of the api-keys services without Nest, on a real database (which must hold
 * `RECORDER_ENTITIES` too). Not imported by the app.
 */

export const ALICE = '00000000-0000-4000-8000-00000000000a';
export const BOB = '00000000-0000-4000-8000-00000000000b';

/** Users as the api-keys module sees them, changeable by the test. */
export class StubOwners implements ApiKeyOwnerDirectory {
  readonly users = new Map<string, ApiKeyOwner>([
    [ALICE, { roles: ['user'], disabled: false }],
    [BOB, { roles: ['user'], disabled: false }],
  ]);

  async findById(id: string): Promise<ApiKeyOwner | null> {
    return this.users.get(id) ?? null;
  }
}

export class StubUserEvents {
  private readonly listeners: UserDisabledListener[] = [];

  onDisabled(listener: UserDisabledListener): () => void {
    this.listeners.push(listener);
    return () => undefined;
  }

  async emitDisabled(userId: string): Promise<void> {
    await Promise.all(this.listeners.map((listener) => listener(userId)));
  }
}

export interface ApiKeysKit {
  clock: ManualClock;
  owners: StubOwners;
  events: StubUserEvents;
  keys: ApiKeysService;
  usage: ApiKeyUsageService;
  introspection: ApiKeyIntrospectionService;
  recorders: Recorders;
}

export function apiKeysKit(dataSource: DataSource, policy = new ApiKeyScopePolicy()): ApiKeysKit {
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const owners = new StubOwners();
  const events = new StubUserEvents();
  const keyRepository = dataSource.getRepository(ApiKeyEntity);
  const usage = new ApiKeyUsageService(
    keyRepository,
    dataSource.getRepository(ApiKeyUsageEntity),
    { defaultRateLimit: DEFAULT_API_KEY_RATE_LIMIT },
    clock,
  );
  const recorders = testRecorders(dataSource, clock);
  const { audit, metrics, revocations } = recorders;
  const keys = new ApiKeysService(
    keyRepository,
    usage,
    policy,
    owners,
    events,
    clock,
    audit,
    metrics,
    revocations,
  );
  keys.onModuleInit();
  const introspection = new ApiKeyIntrospectionService(
    keyRepository,
    policy,
    owners,
    { defaultRateLimit: DEFAULT_API_KEY_RATE_LIMIT, scopes: [] },
    clock,
    revocations,
  );
  return { clock, owners, events, keys, usage, introspection, recorders };
}
