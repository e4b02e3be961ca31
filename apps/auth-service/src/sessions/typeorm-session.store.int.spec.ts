import { ManualClock } from '@keycard/common';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import { SessionEntity } from './session.entity';
import { describeSessionStoreContract } from './session-store.contract';
import { TypeOrmSessionStore } from './typeorm-session.store';

// The embedded store on SQLite always, and on PostgreSQL (schema from the real migrations) when
// TEST_DATABASE_URL is set.
describe.each(databaseBackends())('TypeOrmSessionStore on $name', (backend) => {
  let database: OpenDatabase;

  beforeAll(async () => {
    database = await backend.open([SessionEntity]);
  });

  afterAll(async () => {
    await database?.close();
  });

  describeSessionStoreContract(async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 1));
    const store = new TypeOrmSessionStore(database.dataSource.getRepository(SessionEntity), clock);
    return { store, clock };
  });

  it('stores the token hash only and removes expired rows of a user at their next sign-in', async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 1));
    const repository = database.dataSource.getRepository(SessionEntity);
    const store = new TypeOrmSessionStore(repository, clock);
    const base = {
      userId: '00000000-0000-4000-8000-0000000000aa',
      userAgent: '',
      ip: '127.0.0.1',
      csrfToken: 'c'.repeat(43),
      createdAt: clock.now(),
      lastSeenAt: clock.now(),
      idleExpiresAt: clock.now() + 60_000,
      expiresAt: clock.now() + 120_000,
    };
    await store.create({
      ...base,
      id: '00000000-0000-4000-8000-000000000001',
      tokenHash: 'a'.repeat(64),
    });
    clock.advance(60_000);
    await store.create({
      ...base,
      id: '00000000-0000-4000-8000-000000000002',
      tokenHash: 'b'.repeat(64),
      idleExpiresAt: clock.now() + 60_000,
    });
    const rows = await repository.findBy({ userId: base.userId });
    expect(rows.map((row) => row.id)).toEqual(['00000000-0000-4000-8000-000000000002']);
  });

  if (backend.name === 'postgres') {
    it('has a migration that matches the entity (no pending schema changes)', async () => {
      const pending = await database.dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    });
  }
});
