import { QueryFailedError } from 'typeorm';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import { RefreshFamilyEntity } from '../tokens/refresh-family.entity';
import type { AtomicStatement } from './atomic-writes';
import { writeAtomically } from './atomic-writes';

/* The shared all-or-nothing write, on SQLite and (with TEST_DATABASE_URL) PostgreSQL. */
describe.each(databaseBackends())('writeAtomically on $name', (backend) => {
  let db: OpenDatabase;

  beforeAll(async () => {
    db = await backend.open([RefreshFamilyEntity]);
  });
  afterAll(() => db.close());

  const families = () => db.dataSource.getRepository(RefreshFamilyEntity);
  const insert = (id: string): AtomicStatement => ({
    query: families()
      .createQueryBuilder()
      .insert()
      .values({ id, userId: 'user', clientId: null, scope: '', createdAt: 1, amr: '' })
      .getQueryAndParameters(),
  });
  const revoke = (id: string): AtomicStatement => ({
    query: families()
      .createQueryBuilder()
      .update()
      .set({ revokedAt: 2, revokeReason: 'spec' })
      .where('id = :id AND revoked_at IS NULL', { id })
      .getQueryAndParameters(),
    requireOneRow: true,
  });

  it('keeps every statement, or none when a guard changes no row', async () => {
    expect(await writeAtomically(db.dataSource, [insert('a'), revoke('a')])).toBe(true);
    expect(await writeAtomically(db.dataSource, [insert('b'), revoke('a')])).toBe(false);
    expect(await families().countBy({ id: 'b' })).toBe(0);
    expect(await families().findOneByOrFail({ id: 'a' })).toMatchObject({ revokedAt: 2 });
  });

  it('reports a statement the database refuses as a QueryFailedError, and writes nothing', async () => {
    const error = await writeAtomically(db.dataSource, [insert('c'), insert('c')]).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(await families().countBy({ id: 'c' })).toBe(0);
  });

  if (backend.name === 'sqlite') {
    it('prepares each SQL text once per connection, whatever the values', async () => {
      const connection = (
        db.dataSource.driver as unknown as { databaseConnection: { prepare(sql: string): unknown } }
      ).databaseConnection;
      const prepare = jest.spyOn(connection, 'prepare');
      for (const id of ['d', 'e', 'f']) await writeAtomically(db.dataSource, [insert(id)]);
      const inserts = prepare.mock.calls.filter(([sql]) =>
        sql.startsWith('INSERT INTO "refresh_families"'),
      );
      // Once at most: the earlier tests may have prepared it on this connection already.
      expect(inserts.length).toBeLessThanOrEqual(1);
      expect(await families().countBy({ userId: 'user' })).toBe(4);
      prepare.mockRestore();
    });
  }
});
