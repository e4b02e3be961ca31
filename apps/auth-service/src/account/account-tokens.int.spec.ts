import type { Repository } from 'typeorm';
import { IsNull } from 'typeorm';
import { ErrorCode, KeycardError, ManualClock, sha256Hex } from '@keycard/common';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import type { PlanNode } from '../testing/query-plans';
import { nodesOf } from '../testing/query-plans';
import { AccountTokenEntity } from './account-token.entity';
import { AccountTokensService } from './account-tokens.service';

/* The one-time link tokens on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL. */
const USER = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const HOUR = 3600;

describe.each(databaseBackends())('account link tokens on $name', (backend) => {
  let database: OpenDatabase;
  let repository: Repository<AccountTokenEntity>;
  let clock: ManualClock;
  let tokens: AccountTokensService;

  beforeAll(async () => {
    database = await backend.open([AccountTokenEntity]);
    repository = database.dataSource.getRepository(AccountTokenEntity);
  });
  afterAll(() => database?.close());
  beforeEach(() => {
    clock = new ManualClock();
    tokens = new AccountTokensService(repository, clock);
  });

  async function refusal(promise: Promise<unknown>): Promise<[ErrorCode, number] | 'accepted'> {
    try {
      await promise;
      return 'accepted';
    } catch (error) {
      if (!(error instanceof KeycardError)) throw error;
      return [error.code, error.status];
    }
  }

  it('issues 256-bit tokens and stores only their SHA-256', async () => {
    const token = await tokens.issue(USER, 'reset_password', 'a@example.test', HOUR);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const rows = await repository.findBy({ userId: USER });
    expect(rows.some((row) => row.tokenHash === sha256Hex(token))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('is used once, also when two requests race with it', async () => {
    const token = await tokens.issue(USER, 'verify_email', 'a@example.test', HOUR);
    const outcomes = await Promise.all([
      refusal(tokens.consume(token, ['verify_email'])),
      refusal(tokens.consume(token, ['verify_email'])),
    ]);
    expect(outcomes.filter((outcome) => outcome === 'accepted')).toHaveLength(1);
    expect(await refusal(tokens.consume(token, ['verify_email']))).toEqual([
      ErrorCode.InvalidToken,
      400,
    ]);
  });

  it('expires at its TTL (frozen clock)', async () => {
    const token = await tokens.issue(USER, 'reset_password', 'a@example.test', HOUR);
    clock.advance(HOUR * 1000 - 1);
    expect(await tokens.find(token, ['reset_password'])).not.toBeNull();
    clock.advance(1);
    expect(await refusal(tokens.consume(token, ['reset_password']))).toEqual([
      ErrorCode.InvalidToken,
      400,
    ]);
  });

  it('a newer token of the same purpose voids the older ones of that user only', async () => {
    const older = await tokens.issue(USER, 'reset_password', 'a@example.test', HOUR);
    const verify = await tokens.issue(USER, 'verify_email', 'a@example.test', HOUR);
    const others = await tokens.issue(OTHER, 'reset_password', 'b@example.test', HOUR);
    const newer = await tokens.issue(USER, 'reset_password', 'a@example.test', HOUR);
    expect(await tokens.find(older, ['reset_password'])).toBeNull();
    expect(await tokens.find(newer, ['reset_password'])).not.toBeNull();
    expect(await tokens.find(verify, ['verify_email'])).not.toBeNull();
    expect(await tokens.find(others, ['reset_password'])).not.toBeNull();
  });

  it("voids older tokens through an index that reads the user's unused ones only", async () => {
    // The statement `issue` sends (EntityManager.update builds it this way). With `used_at` only
    // in a filter, it read every token the user was ever sent of that purpose (see migration
    // 1764300011000).
    const [sql, parameters] = repository
      .createQueryBuilder()
      .update()
      .set({ usedAt: clock.now() })
      .where({ userId: USER, purpose: 'reset_password', usedAt: IsNull() })
      .getQueryAndParameters();
    expect(await indexSearch(sql, parameters)).toMatch(/used_at/);
  });

  /** What the index search in `sql`'s plan matches on: SQLite's detail, PostgreSQL's Index Cond. */
  async function indexSearch(sql: string, parameters: unknown[]): Promise<string> {
    // Not a skip: the test runs on both databases, and each explains a statement its own way.
    if (backend.name === 'sqlite') {
      const rows: { detail: string }[] = await database.dataSource.query(
        `EXPLAIN QUERY PLAN ${sql}`,
        parameters,
      );
      return rows.map((row) => row.detail).join('; ');
    }
    // A table this small is cheaper to scan whole: make the planner pick its best index.
    const runner = database.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query('SET LOCAL enable_seqscan = off');
      const [row] = await runner.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
      return nodesOf((row['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan)
        .flatMap((node) => (node['Index Cond'] ? [node['Index Cond']] : []))
        .join('; ');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  it.each([
    [
      'a token of another purpose',
      async (t: AccountTokensService) => t.issue(USER, 'verify_email', 'a@example.test', HOUR),
    ],
    ['an unknown token', async () => 'A'.repeat(43)],
    ['a malformed token', async () => "' OR 1=1 --"],
    ['an empty token', async () => ''],
  ])('refuses %s with 400 invalid_token', async (_case, make) => {
    const token = await make(tokens);
    expect(await refusal(tokens.consume(token, ['reset_password']))).toEqual([
      ErrorCode.InvalidToken,
      400,
    ]);
  });
});
