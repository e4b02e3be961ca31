import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import type { ServiceDatabase } from './migrations';
import { openServiceDataSource, serviceDataSourceOptions } from './migrations';

/** The database settings every service reads: its URL, `DATA_DIR`, `DATABASE_TIMEOUT` (seconds). */
export interface DatabaseSettings {
  databaseUrl: string | undefined;
  dataDir: string;
  databaseTimeout: number;
}

/** A service's database from its settings; `schema` is what only the service knows. */
export function serviceDatabase(
  settings: DatabaseSettings,
  schema: Pick<ServiceDatabase, 'sqliteFile' | 'entities' | 'migrations'>,
): ServiceDatabase {
  return {
    databaseUrl: settings.databaseUrl,
    dataDir: settings.dataDir,
    queryTimeoutMs: settings.databaseTimeout * 1000,
    ...schema,
  };
}

/**
 * TypeORM for a service, from the settings `settingsToken` provides: PostgreSQL (schema from
 * migrations, never `synchronize`) or the embedded SQLite file. No connection retries: a database
 * that cannot be opened fails the start at once. Replicas start together, so migrations run under
 * the service's own advisory lock (`migrationLock`) when the DataSource opens, not through
 * `migrationsRun`.
 */
export function serviceTypeOrmModule<S extends DatabaseSettings>(
  settingsToken: string | symbol,
  database: (settings: S) => ServiceDatabase,
  migrationLock: number,
): DynamicModule {
  return TypeOrmModule.forRootAsync({
    inject: [settingsToken],
    useFactory: (settings: S) => ({
      ...serviceDataSourceOptions(database(settings)),
      retryAttempts: 0,
    }),
    dataSourceFactory: (options) =>
      openServiceDataSource(options as DataSourceOptions, migrationLock),
  });
}
