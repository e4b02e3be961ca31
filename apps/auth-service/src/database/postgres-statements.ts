import type { Pool, PoolClient, QueryConfig, QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import { QueryFailedError } from 'typeorm';

/**
 * SQL texts that get a server-side prepared statement of their own on each pooled connection. The
 * hot paths run a few dozen fixed texts; a text past this many runs unnamed (parsed every time).
 */
const NAMED_MAX = 256;

/**
 * The hot statements of the auth-service on PostgreSQL, sent straight to the pool TypeORM opened
 * (its settings: size, `statement_timeout`, `query_timeout`). Two things TypeORM does not do:
 * - each fixed SQL text becomes a named prepared statement, parsed and planned once per connection
 *   instead of on every call;
 * - no query runner per statement (TypeORM's wraps every query in a runner, broadcaster events and a
 *   result object).
 * Errors of a statement are TypeORM's `QueryFailedError`, as TypeORM raises them, so the
 * dependency-failure mapping (503) and `isUniqueViolation` read them alike.
 */
export class PostgresStatements {
  private readonly names = new Map<string, string>();

  constructor(private readonly pool: Pool) {}

  /** The statements of `dataSource`, or undefined when it is not PostgreSQL. */
  static of(dataSource: DataSource): PostgresStatements | undefined {
    if (dataSource.options.type !== 'postgres') return undefined;
    const existing = cache.get(dataSource);
    if (existing) return existing;
    const { master } = dataSource.driver as unknown as { master: Pool };
    const statements = new PostgresStatements(master);
    cache.set(dataSource, statements);
    return statements;
  }

  /** The rows of one statement on any pooled connection. */
  rows<R>(sql: string, values: unknown[]): Promise<R[]> {
    return this.withClient(async (client) => (await this.run<R>(client, sql, values)).rows);
  }

  /** The number of rows one statement changed (or returned), on any pooled connection. */
  rowCount(sql: string, values: unknown[]): Promise<number> {
    return this.withClient(async (client) => (await this.run(client, sql, values)).rowCount ?? 0);
  }

  /** `work` on one pooled connection of its own (a transaction's statements). */
  onConnection<T>(work: (run: StatementRunner) => Promise<T>): Promise<T> {
    return this.withClient((client) => work((sql, values) => this.run(client, sql, values)));
  }

  /**
   * `work` with a connection of the pool, given back afterwards; dropped instead when it broke. A
   * connection lost while held reports it as an `error` event too, which must have a listener
   * (an unheard `error` event ends the process), as TypeORM's query runner has.
   */
  private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      broken ??= connectionError(error);
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  private async run<R>(
    client: PoolClient,
    sql: string,
    values: unknown[] = [],
  ): Promise<QueryResult<R & object>> {
    const query: QueryConfig = { text: sql, values };
    const name = this.nameOf(sql);
    if (name !== undefined) query.name = name;
    try {
      return await client.query<R & object>(query);
    } catch (error) {
      throw new QueryFailedError(sql, values, error as Error);
    }
  }

  private nameOf(sql: string): string | undefined {
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < NAMED_MAX) {
      name = `keycard_${this.names.size + 1}`;
      this.names.set(sql, name);
    }
    return name;
  }
}

/** Runs one statement on the connection a `PostgresStatements.onConnection` holds. */
export type StatementRunner = <R = unknown>(
  sql: string,
  values?: unknown[],
) => Promise<QueryResult<R & object>>;

const cache = new WeakMap<DataSource, PostgresStatements>();

/**
 * The error to release a connection with, so the pool drops it: anything but a statement the
 * server refused at severity `ERROR`, after which the session goes on (a `FATAL` one, such as a
 * terminated backend's 57P01, ends it; a socket or timeout error has no severity).
 */
function connectionError(error: unknown): Error | undefined {
  const cause = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  const severity = (cause as { severity?: unknown } | null)?.severity;
  return severity === 'ERROR' ? undefined : (cause as Error);
}
