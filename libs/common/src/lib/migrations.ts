import type { DataSourceOptions, EntitySchema, Migration, MigrationInterface } from 'typeorm';
import { DataSource } from 'typeorm';
import { preparePrivateSqliteFile } from './data-dir';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityClass = Function | EntitySchema;

/** What a service's database needs: where it is, and its full entity and migration lists. */
export interface ServiceDatabase {
  /** PostgreSQL URL; undefined means the embedded SQLite file `dataDir/sqliteFile`. */
  databaseUrl: string | undefined;
  dataDir: string;
  sqliteFile: string;
  entities: EntityClass[];
  migrations: (new () => MigrationInterface)[];
  /**
   * PostgreSQL: the longest a query may run, or wait for a connection, before it fails (answered
   * 503): `DATABASE_TIMEOUT`. Default `DEFAULT_DATABASE_TIMEOUT_MS`. Migrations are not bounded.
   */
  queryTimeoutMs?: number;
}

/** The database settings every service reads: its URL, `DATA_DIR`, `DATABASE_TIMEOUT` (seconds). */
export interface DatabaseSettings {
  databaseUrl: string | undefined;
  dataDir: string;
  databaseTimeout: number;
}

/** What only the service knows about its database: one constant per service. */
export interface ServiceSchema {
  /** The embedded SQLite file in `DATA_DIR`, used while the service has no PostgreSQL URL. */
  sqliteFile: string;
  /** Every entity: the DataSource is built from this list. */
  entities: EntityClass[];
  /** PostgreSQL's schema, in order (SQLite's follows the entities). */
  migrations: (new () => MigrationInterface)[];
  /**
   * The `pg_advisory_lock` key held while the service migrates. Each service has its own, so two
   * services sharing a database never wait for each other's migrations.
   */
  migrationLock: number;
}

/** A service's database from its settings and its schema. */
export function serviceDatabase(
  settings: DatabaseSettings,
  schema: ServiceSchema,
): ServiceDatabase {
  return {
    databaseUrl: settings.databaseUrl,
    dataDir: settings.dataDir,
    queryTimeoutMs: settings.databaseTimeout * 1000,
    sqliteFile: schema.sqliteFile,
    entities: schema.entities,
    migrations: schema.migrations,
  };
}

/** `DATABASE_TIMEOUT`'s default. */
export const DEFAULT_DATABASE_TIMEOUT_MS = 3000;

/**
 * node-postgres settings that bound every query: `statement_timeout` (the server cancels the
 * query: SQLSTATE 57014), a client-side `query_timeout` a second later for a server that does not
 * answer at all (stopped, partitioned), and `connectionTimeoutMillis` for opening a connection or
 * waiting for a free one in the pool.
 */
function postgresTimeouts(timeoutMs: number): Record<string, number> {
  return {
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 1000,
    connectionTimeoutMillis: timeoutMs,
  };
}

/** The same options without the per-query bounds: a migration may rightly take minutes. */
function unboundedQueries(options: DataSourceOptions): DataSourceOptions {
  if (options.type !== 'postgres' || !options.extra) return options;
  const extra = { ...(options.extra as Record<string, unknown>) };
  delete extra['statement_timeout'];
  delete extra['query_timeout'];
  return { ...options, extra };
}

/**
 * DataSource options for a service: PostgreSQL with its schema from the hand-written migrations
 * (never `synchronize`), or SQLite whose schema TypeORM keeps in step. Migrations are not run
 * here: `openServiceDataSource` runs them under an advisory lock, so replicas starting together
 * do not race.
 */
export function serviceDataSourceOptions(database: ServiceDatabase): DataSourceOptions {
  if (database.databaseUrl) {
    return {
      type: 'postgres',
      url: database.databaseUrl,
      entities: database.entities,
      migrations: database.migrations,
      synchronize: false,
      migrationsRun: false,
      extra: postgresTimeouts(database.queryTimeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS),
    };
  }
  return {
    type: 'better-sqlite3',
    // Owner only (0700 folder, 0600 files): the file holds password hashes and private keys.
    database: preparePrivateSqliteFile(database.dataDir, database.sqliteFile),
    entities: database.entities,
    synchronize: true,
    enableWAL: true,
  };
}

/**
 * Runs the pending migrations of a PostgreSQL DataSource while holding the session-level
 * `pg_advisory_lock(lockKey)` on a connection of its own, so that of several instances starting
 * at once one migrates and the others wait, then find nothing left to do. Returns the migrations
 * this call applied. Each migration runs in its own transaction.
 */
export async function runMigrationsExclusively(
  dataSource: DataSource,
  lockKey: number,
): Promise<Migration[]> {
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    await lockHolder.query('SELECT pg_advisory_lock($1)', [lockKey]);
    try {
      return await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await lockHolder.query('SELECT pg_advisory_unlock($1)', [lockKey]);
    }
  } finally {
    await lockHolder.release();
  }
}

/**
 * Opens a service's DataSource ready for use: on PostgreSQL, pending migrations are applied under
 * the service's advisory lock before it is returned (on a DataSource of their own, without the
 * query timeouts: a migration, or waiting for another replica's, may take longer); on SQLite,
 * `synchronize` has built the schema.
 */
export async function openServiceDataSource(
  options: DataSourceOptions,
  lockKey: number,
): Promise<DataSource> {
  if (options.type === 'postgres') {
    const migrator = await new DataSource(unboundedQueries(options)).initialize();
    try {
      await runMigrationsExclusively(migrator, lockKey);
    } finally {
      await migrator.destroy();
    }
  }
  return new DataSource(options).initialize();
}

/**
 * The `migrate` command of a service: applies pending PostgreSQL migrations under the advisory
 * lock (or builds the SQLite schema) without starting the server, and says what it did.
 */
export async function migrateServiceDatabase(
  options: DataSourceOptions,
  lockKey: number,
  out: Pick<NodeJS.WriteStream, 'write'> = process.stdout,
): Promise<void> {
  const dataSource = await new DataSource(unboundedQueries(options)).initialize();
  try {
    if (options.type !== 'postgres') {
      out.write(
        `SQLite ${String(options.database)}: schema synchronized (no migrations on SQLite)\n`,
      );
      return;
    }
    const applied = await runMigrationsExclusively(dataSource, lockKey);
    const lines = applied.map((migration) => `applied ${migration.name}\n`);
    out.write(lines.length > 0 ? lines.join('') : 'no pending migrations\n');
  } finally {
    await dataSource.destroy();
  }
}
