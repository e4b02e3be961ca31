import { ManualClock } from '@keycard/common';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import { GoogleGrantEntity } from './google-grant.entity';
import { GoogleGrantsStore } from './google-grants.store';
import { UserIdentityEntity } from './user-identity.entity';

describe.each(databaseBackends())('Google grants and identities on $name', (backend) => {
  let db: OpenDatabase;
  let clock: ManualClock;
  let store: GoogleGrantsStore;

  beforeAll(async () => {
    db = await backend.open([UserIdentityEntity, GoogleGrantEntity]);
  });
  afterAll(() => db.close());
  beforeEach(() => {
    clock = new ManualClock(1_800_000_000_000);
    store = new GoogleGrantsStore(db.dataSource.getRepository(GoogleGrantEntity), clock);
  });

  it('has a schema that matches the entities (the migration on PostgreSQL)', async () => {
    const pending = await db.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('stores only the hash of the key and gives the payload back once', async () => {
    await store.put('handoff', 'key-1', { userId: 'u1' }, 60_000);
    const rows = await db.dataSource.getRepository(GoogleGrantEntity).find();
    expect(rows.some((row) => row.keyHash === 'key-1')).toBe(false);
    expect(await store.take('transaction', 'key-1')).toBeNull();
    expect(await store.take('handoff', 'key-1')).toEqual({ userId: 'u1' });
    expect(await store.take('handoff', 'key-1')).toBeNull();
  });

  it('refuses an expired grant and sweeps expired ones on the next put', async () => {
    await store.put('handoff', 'key-2', { userId: 'u2' }, 60_000);
    clock.advance(60_000);
    expect(await store.take('handoff', 'key-2')).toBeNull();
    await store.put('handoff', 'key-3', { userId: 'u3' }, 1_000);
    clock.advance(5_000);
    await store.put('handoff', 'key-4', { userId: 'u4' }, 1_000);
    const keys = (await db.dataSource.getRepository(GoogleGrantEntity).find()).length;
    expect(keys).toBe(1);
  });

  it('lets exactly one of ten concurrent takes win', async () => {
    await store.put('transaction', 'key-5', { nonce: 'n' }, 60_000);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.take('transaction', 'key-5')),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
  });

  it('allows one link per (provider, subject)', async () => {
    const repository = db.dataSource.getRepository(UserIdentityEntity);
    const row = {
      provider: 'google',
      subject: 's-1',
      email: 'a@example.test',
      createdAt: clock.now(),
    };
    await repository.insert({ ...row, id: '00000000-0000-4000-8000-000000000001', userId: 'u1' });
    await expect(
      repository.insert({ ...row, id: '00000000-0000-4000-8000-000000000002', userId: 'u2' }),
    ).rejects.toThrow();
  });
});
