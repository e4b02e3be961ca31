import { testPostgresUrl } from '@keycard/testing';
import { openTestDataSource, TestDataSource } from '../testing/test-database';

const describePostgres = testPostgresUrl() ? describe : describe.skip;

describePostgres('resource-service migrations (PostgreSQL)', () => {
  let db: TestDataSource;

  beforeAll(async () => {
    db = await openTestDataSource('postgres');
  });

  afterAll(() => db?.close());

  it('ran every migration', async () => {
    const applied = await db.dataSource.query('SELECT name FROM migrations ORDER BY id');
    expect(applied.map((row: { name: string }) => row.name)).toEqual(
      db.dataSource.migrations.map((m) => m.name),
    );
  });

  it('leave no difference between the entities and the schema', async () => {
    const pending = await db.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });
});
