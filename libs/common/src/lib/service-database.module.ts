import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseSettings, ServiceSchema } from './migrations';
import { openServiceDataSource, serviceDatabase, serviceDataSourceOptions } from './migrations';

/**
 * TypeORM for a service, from the settings `settingsToken` provides: PostgreSQL (schema from
 * migrations, never `synchronize`) or the embedded SQLite file. No connection retries: a database
 * that cannot be opened fails the start at once. Replicas start together, so migrations run under
 * the service's own advisory lock (`schema.migrationLock`) when the DataSource opens, not through
 * `migrationsRun`.
 */
export function serviceTypeOrmModule(
  settingsToken: string | symbol,
  schema: ServiceSchema,
): DynamicModule {
  return TypeOrmModule.forRootAsync({
    inject: [settingsToken],
    useFactory: (settings: DatabaseSettings) => ({
      ...serviceDataSourceOptions(serviceDatabase(settings, schema)),
      retryAttempts: 0,
    }),
    dataSourceFactory: (options) =>
      openServiceDataSource(options as DataSourceOptions, schema.migrationLock),
  });
}
