import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DataSource,
  DataSourceOptions,
  EntitySchema,
  Migration,
  MigrationInterface,
} from 'typeorm';

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
    };
  }
  mkdirSync(database.dataDir, { recursive: true });
  return {
    type: 'better-sqlite3',
    database: join(database.dataDir, database.sqliteFile),
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
 * the service's advisory lock before it is returned; on SQLite, `synchronize` has built the schema.
 * The app's TypeORM module and the `migrate` command both open the database through here.
 */
export async function openServiceDataSource(
  options: DataSourceOptions,
  lockKey: number,
): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  if (options.type === 'postgres') {
    try {
      await runMigrationsExclusively(dataSource, lockKey);
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
  }
  return dataSource;
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
  const dataSource = await new DataSource(options).initialize();
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
