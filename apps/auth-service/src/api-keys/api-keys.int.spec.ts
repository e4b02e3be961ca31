import { ErrorCode, generateApiKey } from '@keycard/common';
import { codeOf } from '@keycard/testing';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends, watchDatabaseCalls } from '../testing/database-backends';
import { RECORDER_ENTITIES } from '../testing/test-recorders';
import { ApiKeyScopePolicy, GRANTABLE_API_KEY_SCOPES } from './api-key-scopes';
import { ApiKeyUsageEntity } from './api-key-usage.entity';
import { ApiKeyEntity } from './api-key.entity';
import type { ApiKeysKit } from './api-keys.test-kit';
import { ALICE, apiKeysKit, BOB } from './api-keys.test-kit';

const HOUR = 3_600_000;

describe.each(databaseBackends())('API keys on $name', (backend) => {
  let db: OpenDatabase;
  let kit: ApiKeysKit;

  beforeAll(async () => {
    db = await backend.open([ApiKeyEntity, ApiKeyUsageEntity, ...RECORDER_ENTITIES]);
  });
  afterAll(() => db.close());
  beforeEach(() => {
    kit = apiKeysKit(db.dataSource);
  });

  async function active(key: string): Promise<boolean> {
    return (await kit.introspection.introspect(key)) !== null;
  }

  it('has a schema that matches the entities (the migration on PostgreSQL)', async () => {
    const pending = await db.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('creates a key, shows it once, stores only its hash, and introspects it as active', async () => {
    const created = await kit.keys.create(ALICE, { name: 'ci', rateLimit: 120 });
    expect(created).toMatchObject({
      name: 'ci',
      type: 'sk',
      environment: 'live',
      expiresAt: null,
      rateLimit: 120,
    });
    expect(created.key).toMatch(/^sk_live_[0-9A-Za-z]{49}$/);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    expect(created.scopes).toEqual(GRANTABLE_API_KEY_SCOPES);
    const row = await db.dataSource.getRepository(ApiKeyEntity).findOneByOrFail({ id: created.id });
    expect(JSON.stringify(row)).not.toContain(created.key.slice(12));
    expect(await kit.introspection.introspect(created.key)).toEqual({
      active: true,
      token_type: 'api_key',
      sub: ALICE,
      scope: 'documents:read documents:write profile:read',
      key_id: created.id,
      key_type: 'sk',
      environment: 'live',
      rate_limit: 120,
      roles: [],
    });
    const [listed] = (await kit.keys.list(ALICE)).filter((view) => view.id === created.id);
    expect(listed).toMatchObject({ status: 'active', lastUsedAt: null, prefix: created.prefix });
    expect(JSON.stringify(listed)).not.toContain(created.key);
  });

  it('gives a publishable test key read scopes, the default rate limit and an exp', async () => {
    const expiresAt = kit.clock.now() + 24 * HOUR;
    const { key } = await kit.keys.create(ALICE, {
      name: 'web',
      type: 'pk',
      environment: 'test',
      expiresAt,
    });
    expect(await kit.introspection.introspect(key)).toMatchObject({
      key_type: 'pk',
      environment: 'test',
      scope: 'documents:read profile:read',
      exp: Math.floor(expiresAt / 1000),
      rate_limit: 600,
    });
  });

  it('refuses an expiry in the past, a write scope on a pk key and a bad rate limit', async () => {
    const now = kit.clock.now();
    expect(await codeOf(kit.keys.create(ALICE, { name: 'x', expiresAt: now }))).toBe(
      ErrorCode.BadRequest,
    );
    expect(
      await codeOf(kit.keys.create(ALICE, { name: 'x', type: 'pk', scopes: ['documents:write'] })),
    ).toBe(ErrorCode.BadRequest);
    expect(await codeOf(kit.keys.create(ALICE, { name: 'x', rateLimit: 0 }))).toBe(
      ErrorCode.BadRequest,
    );
  });

  it('stops an expired key', async () => {
    const { key, id } = await kit.keys.create(ALICE, {
      name: 'short',
      expiresAt: kit.clock.now() + HOUR,
    });
    kit.clock.advance(HOUR - 1);
    expect(await active(key)).toBe(true);
    kit.clock.advance(1);
    expect(await active(key)).toBe(false);
    expect((await kit.keys.list(ALICE)).find((view) => view.id === id)?.status).toBe('expired');
  });

  it('rotates: both keys work during the grace period, then only the new one', async () => {
    const old = await kit.keys.create(ALICE, {
      name: 'rotating',
      scopes: ['documents:read'],
      rateLimit: 50,
    });
    const next = await kit.keys.rotate(ALICE, old.id, 3600);
    expect(next).toMatchObject({
      name: 'rotating',
      scopes: ['documents:read'],
      rateLimit: 50,
      type: 'sk',
    });
    expect(next.key).not.toBe(old.key);
    expect(await active(old.key)).toBe(true);
    expect(await active(next.key)).toBe(true);
    const statusOf = async (id: string) =>
      (await kit.keys.list(ALICE)).find((view) => view.id === id)?.status;
    expect(await statusOf(old.id)).toBe('expiring');
    kit.clock.advance(HOUR);
    expect(await active(old.key)).toBe(false);
    expect(await active(next.key)).toBe(true);
    expect(await statusOf(old.id)).toBe('expired');
    expect(await statusOf(next.id)).toBe('active');
    expect(await codeOf(kit.keys.rotate(ALICE, old.id))).toBe(ErrorCode.Conflict);
  });

  it('rotates with no grace, and keeps an earlier expiry', async () => {
    const now = kit.clock.now();
    const a = await kit.keys.create(ALICE, { name: 'a' });
    await kit.keys.rotate(ALICE, a.id, 0);
    expect(await active(a.key)).toBe(false);
    const b = await kit.keys.create(ALICE, { name: 'b', expiresAt: now + 60_000 });
    const b2 = await kit.keys.rotate(ALICE, b.id, 86_400);
    expect((await kit.keys.list(ALICE)).find((view) => view.id === b.id)?.expiresAt).toBe(
      new Date(now + 60_000).toISOString(),
    );
    expect(b2.expiresAt).toBe(new Date(now + 60_000).toISOString());
    expect(await codeOf(kit.keys.rotate(ALICE, b2.id, 31 * 86_400))).toBe(ErrorCode.BadRequest);
  });

  it('lets exactly one of several concurrent rotations win', async () => {
    const { id } = await kit.keys.create(ALICE, { name: 'raced' });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => codeOf(kit.keys.rotate(ALICE, id))),
    );
    expect(results.filter((code) => code === 'ok')).toHaveLength(1);
    expect(results.filter((code) => code === ErrorCode.Conflict)).toHaveLength(4);
    const named = (await kit.keys.list(ALICE)).filter((view) => view.name === 'raced');
    expect(named).toHaveLength(2);
  });

  it('revokes: the key stops at once; revoking again is fine', async () => {
    const { key, id } = await kit.keys.create(ALICE, { name: 'gone' });
    await kit.keys.revoke(ALICE, id);
    expect(await active(key)).toBe(false);
    await kit.keys.revoke(ALICE, id);
    expect((await kit.keys.list(ALICE)).find((view) => view.id === id)?.status).toBe('revoked');
    expect(await codeOf(kit.keys.rotate(ALICE, id))).toBe(ErrorCode.Conflict);
  });

  it('revokes by value for /oauth/revoke and ignores unknown or malformed keys', async () => {
    const { key } = await kit.keys.create(ALICE, { name: 'by value' });
    await kit.introspection.revokeByKey(generateApiKey('sk', 'live').key);
    await kit.introspection.revokeByKey('not a key');
    expect(await active(key)).toBe(true);
    await kit.introspection.revokeByKey(key);
    expect(await active(key)).toBe(false);
  });

  it('refuses a malformed key or a bad checksum without a database query', async () => {
    const { key } = await kit.keys.create(ALICE, { name: 'typo' });
    // Every statement, through a repository or the data source, gets its query runner here.
    const database = watchDatabaseCalls(db.dataSource);
    try {
      const last = key.at(-1) === 'A' ? 'B' : 'A';
      for (const bad of [
        `${key.slice(0, -1)}${last}`,
        key.slice(0, -1),
        'sk_live_',
        '',
        'rt_whatever',
      ]) {
        expect(await kit.introspection.introspect(bad)).toBeNull();
      }
      expect(database.calls()).toBe(0);
      expect(await active(generateApiKey('sk', 'live').key)).toBe(false); // well-formed but unknown: looked up
      expect(database.calls()).toBeGreaterThan(0);
    } finally {
      database.restore();
    }
  });

  it('stops the keys of a disabled or deleted owner, and revokes them when the user is disabled', async () => {
    const { key } = await kit.keys.create(BOB, { name: 'bob' });
    kit.owners.users.set(BOB, { roles: ['user'], disabled: true });
    expect(await active(key)).toBe(false);
    await kit.events.emitDisabled(BOB);
    kit.owners.users.set(BOB, { roles: ['user'], disabled: false });
    expect(await active(key)).toBe(false);
    expect((await kit.keys.list(BOB)).every((view) => view.status === 'revoked')).toBe(true);
    const other = await kit.keys.create(ALICE, { name: 'orphan' });
    kit.owners.users.delete(ALICE);
    expect(await active(other.key)).toBe(false);
  });

  it('narrows a key to what its owner may hold now (an admin scope after losing admin)', async () => {
    kit = apiKeysKit(
      db.dataSource,
      new ApiKeyScopePolicy([...GRANTABLE_API_KEY_SCOPES, 'admin:users']),
    );
    kit.owners.users.set(ALICE, { roles: ['admin'], disabled: false });
    const { key } = await kit.keys.create(ALICE, {
      name: 'admin',
      scopes: ['admin:users', 'documents:read'],
    });
    expect((await kit.introspection.introspect(key))?.scope).toBe('admin:users documents:read');
    kit.owners.users.set(ALICE, { roles: ['user'], disabled: false });
    expect((await kit.introspection.introspect(key))?.scope).toBe('documents:read');
    expect(await codeOf(kit.keys.create(ALICE, { name: 'x', scopes: ['admin:users'] }))).toBe(
      ErrorCode.Forbidden,
    );
  });

  it("answers 404 for another user's key and for a malformed id", async () => {
    const { key, id } = await kit.keys.create(ALICE, { name: 'mine' });
    for (const attempt of [
      kit.keys.rotate(BOB, id),
      kit.keys.revoke(BOB, id),
      kit.keys.usage(BOB, id),
      kit.keys.revoke(ALICE, 'not-a-uuid'),
      kit.keys.usage(ALICE, "1' OR '1'='1"),
    ]) {
      expect(await codeOf(attempt)).toBe(ErrorCode.NotFound);
    }
    expect((await kit.keys.list(BOB)).some((view) => view.id === id)).toBe(false);
    expect(await active(key)).toBe(true);
  });
});
