import type { Repository } from 'typeorm';
import { DataSource } from 'typeorm';
import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase, describeOnPostgres } from '@keycard/testing';
import { AUTH_MIGRATIONS } from '../database/migrations/index';
import type { PlanNode } from '../testing/query-plans';
import { nodesOf } from '../testing/query-plans';
import { UserEntity } from './user.entity';
import type { UserFilter } from './user-search';
import { UserSearchWords1764300009000 } from '../database/migrations/1764300009000-user-search-words';
import { afterUser, orderedUsers, wordStartQuery } from './user-search';

const USERS = 50_000;
const T0 = 1_767_600_000_000;
/** The pattern index answers prefixes under any collation; under C the unique one can too. */
const EMAIL_INDEX = /^(idx_users_email_pattern|uq_users_email)$/;

/**
 * `GET /admin/users` on a table of 50,000 users (made in SQL): the plans PostgreSQL picks for the
 * queries `UsersService.list` sends use the indexes of the migration, and never read the table
 * whole. Each query is the service's own, taken from the same builder functions.
 */
describeOnPostgres('admin user search plans', (serverUrl) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let users: Repository<UserEntity>;
  let trigrams: boolean;

  beforeAll(async () => {
    database = await createTestPostgresDatabase(serverUrl, 'user_search');
    dataSource = await new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [UserEntity],
      migrations: AUTH_MIGRATIONS,
      migrationsRun: true,
    }).initialize();
    users = dataSource.getRepository(UserEntity);
    await dataSource.query(
      `INSERT INTO users (id, email, name, roles, created_at, updated_at)
         SELECT md5(i::text)::uuid::text, 'user' || i || '@example' || (i % 97) || '.test',
                'Person ' || i, '["user"]', ${T0} + i / 3, ${T0} + i / 3
         FROM generate_series(1, ${USERS}) AS i`,
    );
    // Statistics from every row, not ANALYZE's random sample of 30,000: with a sample, a busy CI
    // run once estimated so many `user4242%` addresses that walking the (created_at, id) index
    // looked cheaper, and the plans these tests check changed from run to run.
    await dataSource.query('ALTER TABLE users ALTER COLUMN email SET STATISTICS 1000');
    await dataSource.query('ALTER TABLE users ALTER COLUMN name SET STATISTICS 1000');
    await dataSource.query('ANALYZE users');
    trigrams =
      (await dataSource.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'`)).length > 0;
  }, 120_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  async function planOf(filter: UserFilter, after?: { createdAt: number; id: string }) {
    let query = orderedUsers(users.createQueryBuilder('user'), filter, 'postgres');
    if (after) query = afterUser(query, after);
    const [sql, parameters] = query.take(21).getQueryAndParameters();
    const [row] = await dataSource.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
    const nodes = nodesOf((row['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan);
    return {
      indexes: nodes.flatMap((node) => (node['Index Name'] ? [node['Index Name']] : [])),
      seqScans: nodes.filter((node) => node['Node Type'] === 'Seq Scan').length,
      sorts: nodes.filter((node) => node['Node Type'].includes('Sort')).length,
    };
  }

  it('has the users it was given', async () => {
    expect(await users.count()).toBe(USERS);
  });

  it('finds an address prefix through an index on email', async () => {
    const plan = await planOf({ email: 'user4242' });
    expect(plan.seqScans).toBe(0);
    expect(plan.indexes).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(idx_users_email_pattern|uq_users_email)$/)]),
    );
  });

  it('finds one address through an index on email', async () => {
    const plan = await planOf({ email: 'user4242@example71.test', exactEmail: true });
    expect(plan.seqScans).toBe(0);
    expect(plan.indexes).toEqual([expect.stringMatching(EMAIL_INDEX)]);
  });

  it('reads a keyset page deep in the list through the (created_at, id) index', async () => {
    const [middle] = await dataSource.query(
      `SELECT id, created_at FROM users ORDER BY created_at, id OFFSET ${USERS / 2} LIMIT 1`,
    );
    const plan = await planOf({}, { createdAt: Number(middle.created_at), id: middle.id });
    // In index order: neither a scan nor a sort (not even an incremental one on id).
    expect(plan).toEqual({ indexes: ['idx_users_created_at_id'], seqScans: 0, sorts: 0 });
  });

  it('finds the start of a word in addresses and names through the words index', async () => {
    for (const q of ['person 4242', 'user4242', 'PERSON 4242', '4242']) {
      const plan = await planOf({ q });
      expect({ q, ...plan }).toEqual({
        q,
        indexes: ['idx_users_search_words'],
        seqScans: 0,
        sorts: 1,
      });
    }
    // A later page after a cursor, too.
    const [middle] = await dataSource.query(
      `SELECT id, created_at FROM users ORDER BY created_at, id OFFSET ${USERS / 2} LIMIT 1`,
    );
    expect(
      await planOf({ q: 'user4242' }, { createdAt: Number(middle.created_at), id: middle.id }),
    ).toMatchObject({ indexes: expect.arrayContaining(['idx_users_search_words']), seqScans: 0 });
    // Also a word that a tenth of the users start (every address at example7*.test): never a walk
    // of the list's order that computes the words of every user it passes.
    expect(await planOf({ q: '@example7' })).toEqual({
      indexes: ['idx_users_search_words'],
      seqScans: 0,
      sorts: 1,
    });
  });

  it('never reads users with parallel workers, even where they look free', async () => {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      for (const setting of [
        'parallel_setup_cost',
        'parallel_tuple_cost',
        'min_parallel_table_scan_size',
        'min_parallel_index_scan_size',
      ])
        await runner.query(`SET LOCAL ${setting} = 0`);
      const gathers = async (sql: string, parameters: unknown[]) => {
        const [row] = await runner.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
        return nodesOf((row['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan).filter((node) =>
          node['Node Type'].startsWith('Gather'),
        ).length;
      };
      const search = orderedUsers(users.createQueryBuilder('user'), { q: 'user4242' }, 'postgres');
      const [sql, parameters] = search.take(21).getQueryAndParameters();
      expect(await gathers(sql, parameters)).toBe(0);
      expect(await gathers('SELECT count(*) FROM users WHERE name LIKE $1', ['%4%'])).toBe(0);
      // The same settings do make a parallel plan for a table without the setting (not a temporary
      // one: workers cannot read those); the transaction's rollback drops it.
      await runner.query('CREATE TABLE users_copy AS SELECT * FROM users');
      await runner.query('ANALYZE users_copy');
      expect(await gathers('SELECT count(*) FROM users_copy WHERE name LIKE $1', ['%4%'])).toBe(1);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('finds the text anywhere (q=*text) through the trigram indexes, or scans without pg_trgm', async () => {
    const plan = await planOf({ q: '*son 4242' });
    if (!trigrams) {
      // A server without contrib: the migration skipped these indexes and q reads the table.
      expect(plan.seqScans).toBe(1);
      return;
    }
    expect(plan.seqScans).toBe(0);
    expect(plan.indexes).toEqual(
      expect.arrayContaining(['idx_users_email_trgm', 'idx_users_name_trgm']),
    );
  });

  it('answers a word start from the index as a scan of every row would', async () => {
    const count = async (q: string, settings: string[]) => {
      const runner = dataSource.createQueryRunner();
      try {
        await runner.startTransaction();
        for (const setting of settings) await runner.query(`SET LOCAL ${setting} = off`);
        const sql = `SELECT count(*)::int AS n FROM users
          WHERE keycard_user_search_words(email, name) @@ CAST($1 AS tsquery)`;
        const [plan] = await runner.query(`EXPLAIN (FORMAT JSON) ${sql}`, [wordStartQuery(q)]);
        const [row] = await runner.query(sql, [wordStartQuery(q)]);
        const nodes = nodesOf((plan['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan);
        return {
          n: row.n as number,
          scanned: nodes.some((node) => node['Node Type'] === 'Seq Scan'),
        };
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    };
    for (const q of ['person 424', 'user4242', 'example9.', '.test', "o'", 'a\\']) {
      const indexed = await count(q, ['enable_seqscan']);
      const scanned = await count(q, ['enable_bitmapscan', 'enable_indexscan']);
      expect({ q, indexed: indexed.scanned, scanned: scanned.scanned }).toEqual({
        q,
        indexed: false,
        scanned: true,
      });
      expect({ q, n: indexed.n }).toEqual({ q, n: scanned.n });
    }
    expect((await count('user4242', ['enable_seqscan'])).n).toBe(11);
  });

  it('drops its function and index with the migration down step', async () => {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await new UserSearchWords1764300009000().down(runner);
      const left = await runner.query(
        `SELECT (SELECT count(*)::int FROM pg_indexes WHERE indexname = 'idx_users_search_words') AS indexes,
                  (SELECT count(*)::int FROM pg_proc WHERE proname = 'keycard_user_search_words') AS functions`,
      );
      expect(left).toEqual([{ indexes: 0, functions: 0 }]);
      const [{ reloptions }] = await runner.query(
        `SELECT reloptions FROM pg_class WHERE oid = 'users'::regclass`,
      );
      expect(reloptions).toBeNull();
      await new UserSearchWords1764300009000().up(runner);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
