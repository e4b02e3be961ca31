import { DataSource, QueryFailedError } from 'typeorm';
import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase, describeOnPostgres } from '@keycard/testing';
import { PostgresStatements } from './postgres-statements';

describeOnPostgres('PostgresStatements', (serverUrl) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let statements: PostgresStatements;
  /** The server process of the pool's one connection. */
  const backendPid = async () =>
    (await statements.rows<{ pid: number }>('SELECT pg_backend_pid() AS pid', []))[0].pid;

  beforeAll(async () => {
    database = await createTestPostgresDatabase(serverUrl, 'statements');
    // One connection, so that every call below runs on the same one unless it was dropped.
    dataSource = await new DataSource({
      type: 'postgres',
      url: database.url,
      extra: { max: 1 },
    }).initialize();
    statements = PostgresStatements.of(dataSource) as PostgresStatements;
    await dataSource.query('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('is only for PostgreSQL, one per data source', async () => {
    expect(PostgresStatements.of(dataSource)).toBe(statements);
    const sqlite = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
    }).initialize();
    expect(PostgresStatements.of(sqlite)).toBeUndefined();
    await sqlite.destroy();
  });

  it('prepares a text once per connection and runs it again by name', async () => {
    const read = 'SELECT $1::int + 1 AS next';
    expect(await statements.rows(read, [1])).toEqual([{ next: 2 }]);
    expect(await statements.rows(read, [41])).toEqual([{ next: 42 }]);
    const prepared = await statements.rows<{ statement: string }>(
      'SELECT statement FROM pg_prepared_statements',
      [],
    );
    expect(prepared.filter((p) => p.statement === read)).toHaveLength(1);
  });

  it('raises a refused statement as QueryFailedError and keeps the connection', async () => {
    const pid = await backendPid();
    const failed = statements.rows('SELECT 1 / $1::int AS x', [0]);
    await expect(failed).rejects.toBeInstanceOf(QueryFailedError);
    await expect(failed).rejects.toMatchObject({ driverError: { code: '22012' } });
    expect(await backendPid()).toBe(pid);
  });

  it('drops a connection that broke while held, and the next call gets a new one', async () => {
    const pid = await backendPid();
    const killer = await new DataSource({ type: 'postgres', url: database.url }).initialize();
    try {
      const lost = statements.onConnection(async (run) => {
        await killer.query('SELECT pg_terminate_backend($1)', [pid]);
        await run('SELECT 1');
      });
      await expect(lost).rejects.toThrow();
    } finally {
      await killer.destroy();
    }
    const next = await backendPid();
    expect(next).not.toBe(pid);
  });

  it('runs the statements of one onConnection on one connection (a transaction holds)', async () => {
    await statements.onConnection(async (run) => {
      await run('BEGIN');
      await run('INSERT INTO notes (id, body) VALUES ($1, $2)', [1, 'kept only if committed']);
      await run('ROLLBACK');
    });
    expect(await statements.rows('SELECT id FROM notes', [])).toEqual([]);
    await statements.onConnection(async (run) => {
      await run('BEGIN');
      await run('INSERT INTO notes (id, body) VALUES ($1, $2)', [2, 'committed']);
      await run('COMMIT');
    });
    expect(await statements.rows('SELECT id FROM notes', [])).toEqual([{ id: 2 }]);
  });
});
