import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { openServiceDataSource, ServiceDatabase, serviceDataSourceOptions } from '@keycard/common';
import { DataSourceOptions } from 'typeorm';
import { authConfig, AuthSettings } from '../config/auth.config';
import { AUTH_ENTITIES } from './entities';
import { AUTH_MIGRATIONS } from './migrations/index';

/** `pg_advisory_lock` key held while the auth-service migrates (resource-service has its own). */
export const AUTH_MIGRATION_LOCK = 7_301_001;

/**
 * PostgreSQL (schema from migrations, never `synchronize`) when `DATABASE_URL` is set; otherwise
 * the embedded SQLite file `DATA_DIR/auth.sqlite`, whose schema TypeORM keeps in step itself.
 */
export function authDatabase(
  config: Pick<AuthSettings, 'databaseUrl' | 'dataDir' | 'databaseTimeout'>,
): ServiceDatabase {
  return {
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    queryTimeoutMs: config.databaseTimeout * 1000,
    sqliteFile: 'auth.sqlite',
    entities: AUTH_ENTITIES,
    migrations: AUTH_MIGRATIONS,
  };
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [authConfig.KEY],
      useFactory: (config: AuthSettings) => ({
        ...serviceDataSourceOptions(authDatabase(config)),
        retryAttempts: 0,
      }),
      // Migrations run here, under the advisory lock, instead of racing through `migrationsRun`.
      dataSourceFactory: (options) =>
        openServiceDataSource(options as DataSourceOptions, AUTH_MIGRATION_LOCK),
    }),
  ],
})
export class DatabaseModule {}
