import type { Repository } from 'typeorm';
import { DataSource } from 'typeorm';
import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase, describeOnPostgres } from '@keycard/testing';
import { AUTH_MIGRATIONS } from '../database/migrations/index';
import { UserEntity } from './user.entity';
import type { UserFilter } from './user-search';
import { afterUser, orderedUsers } from './user-search';

const USERS = 50_000;
const T0 = 1_767_600_000_000;
/** The pattern index answers prefixes under any collation; under C the unique one can too. */
const EMAIL_INDEX = /^(idx_users_email_pattern|uq_users_email)$/;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

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

  it('finds text in addresses and names through the trigram indexes, or scans without pg_trgm', async () => {
    const plan = await planOf({ q: 'son 4242' });
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
});
