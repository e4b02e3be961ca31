import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { BoundedCache } from '@keycard/auth';
import { PostgresStatements } from './postgres-statements';

/**
 * Named places between the statements of an atomic write where a test can make the write fail,
 * as a crash or a lost database would (`reached` throws, kills the process, stops the server).
 * Does nothing in production; a test overrides the provider. Called synchronously.
 */
@Injectable()
export class WriteFaultPoints {
  /** Told the name of each fault point a write passes; no fault outside tests. */
  readonly reached: (point: string) => void = () => undefined;
}

/** One statement of an atomic write, as a query builder's `getQueryAndParameters()` gives it. */
export interface AtomicStatement {
  query: [sql: string, parameters: unknown[]];
  /** The write is abandoned (nothing kept, `false` returned) unless this changes exactly one row. */
  requireOneRow?: boolean;
  /** The fault point reached right after this statement. */
  after?: string;
}

/** The part of better-sqlite3's `Database` used here (TypeORM types it as `any`). */
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  transaction<A extends unknown[]>(work: (...args: A) => void): (...args: A) => void;
}

interface SqliteStatement {
  run(...parameters: unknown[]): { changes: number };
}

/** SQL texts whose prepared statement a connection keeps; atomic writes repeat a few dozen. */
const PREPARED_MAX_ENTRIES = 200;

/** One atomic write on a SQLite connection (a better-sqlite3 transaction function). */
type SqliteWrite = (statements: AtomicStatement[], faults?: WriteFaultPoints) => void;

/** Each connection's write, made with its prepared statements on its first atomic write. */
const writers = new WeakMap<SqliteDatabase, SqliteWrite>();

class Abandoned extends Error {}

/**
 * Runs `statements` as one transaction: all of them are kept, or none. PostgreSQL: a transaction
 * on a pooled connection of its own (a crash or a lost connection rolls it back); a lone
 * statement runs on its own instead, atomic by itself, in one round trip instead of three (BEGIN,
 * it, COMMIT), so its `after` fault point follows its commit, and a lone `requireOneRow` statement
 * must change at most one row (a key in its WHERE): more is an error, found only once kept. SQLite: one
 * synchronous better-sqlite3 transaction; TypeORM runs SQLite on a single shared connection, where
 * an async transaction would take in the statements of concurrent requests, so nothing else may
 * run between BEGIN and COMMIT. Returns false when a `requireOneRow` statement changed no row.
 */
export async function writeAtomically(
  dataSource: DataSource,
  statements: AtomicStatement[],
  faults?: WriteFaultPoints,
): Promise<boolean> {
  if (dataSource.options.type === 'better-sqlite3') {
    const { databaseConnection } = dataSource.driver as unknown as {
      databaseConnection: SqliteDatabase;
    };
    return writeSqlite(databaseConnection, statements, faults);
  }
  const postgres = PostgresStatements.of(dataSource);
  if (postgres === undefined) throw new Error(`atomic writes need PostgreSQL or SQLite`);
  if (statements.length === 1) return writeLonePostgres(postgres, statements[0], faults);
  return postgres.onConnection(async (run) => {
    await run('BEGIN');
    try {
      for (const { query, requireOneRow, after } of statements) {
        const result = await run(query[0], query[1]);
        if (requireOneRow && result.rowCount !== 1) throw new Abandoned();
        if (after) faults?.reached(after);
      }
      await run('COMMIT');
      return true;
    } catch (error) {
      await run('ROLLBACK').catch(() => undefined);
      if (error instanceof Abandoned) return false;
      throw error;
    }
  });
}

async function writeLonePostgres(
  postgres: PostgresStatements,
  { query, requireOneRow, after }: AtomicStatement,
  faults?: WriteFaultPoints,
): Promise<boolean> {
  const changed = await postgres.rowCount(query[0], query[1]);
  if (requireOneRow && changed > 1)
    throw new Error(`a lone requireOneRow statement changed ${changed} rows`);
  if (requireOneRow && changed !== 1) return false;
  if (after) faults?.reached(after);
  return true;
}

function writeSqlite(
  db: SqliteDatabase,
  statements: AtomicStatement[],
  faults?: WriteFaultPoints,
): boolean {
  try {
    writerOf(db)(statements, faults);
    return true;
  } catch (error) {
    if (error instanceof Abandoned) return false;
    throw error;
  }
}

/** The connection's write, reusing its transaction function and prepared statements. */
function writerOf(db: SqliteDatabase): SqliteWrite {
  const existing = writers.get(db);
  if (existing !== undefined) return existing;
  const prepared = new BoundedCache<string, SqliteStatement>(PREPARED_MAX_ENTRIES);
  const write = db.transaction((statements: AtomicStatement[], faults?: WriteFaultPoints) => {
    for (const { query, requireOneRow, after } of statements) {
      const { changes } = runSqlite(db, prepared, query);
      if (requireOneRow && changes !== 1) throw new Abandoned();
      if (after) faults?.reached(after);
    }
  });
  writers.set(db, write);
  return write;
}

function runSqlite(
  db: SqliteDatabase,
  prepared: BoundedCache<string, SqliteStatement>,
  [sql, parameters]: AtomicStatement['query'],
) {
  // As TypeORM's own driver does: better-sqlite3 cannot bind booleans.
  const bound = parameters.map((p) => (typeof p === 'boolean' ? Number(p) : p));
  try {
    let statement = prepared.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      prepared.set(sql, statement);
    }
    return statement.run(...bound);
  } catch (error) {
    throw new QueryFailedError(sql, bound, error as Error);
  }
}
