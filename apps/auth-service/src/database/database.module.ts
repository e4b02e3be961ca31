import { Module } from '@nestjs/common';
import {
  type DatabaseSettings,
  type ServiceDatabase,
  serviceDatabase,
  serviceTypeOrmModule,
} from '@keycard/common';
import { authConfig } from '../config/auth.config';
import { AUTH_ENTITIES } from './entities';
import { AUTH_MIGRATIONS } from './migrations/index';

/** `pg_advisory_lock` key held while the auth-service migrates (resource-service has its own). */
export const AUTH_MIGRATION_LOCK = 7_301_001;

/**
 * PostgreSQL (schema from migrations, never `synchronize`) when `DATABASE_URL` is set; otherwise
 * the embedded SQLite file `DATA_DIR/auth.sqlite`, whose schema TypeORM keeps in step itself.
 */
export function authDatabase(config: DatabaseSettings): ServiceDatabase {
  return serviceDatabase(config, {
    sqliteFile: 'auth.sqlite',
    entities: AUTH_ENTITIES,
    migrations: AUTH_MIGRATIONS,
  });
}

@Module({
  imports: [serviceTypeOrmModule(authConfig.KEY, authDatabase, AUTH_MIGRATION_LOCK)],
})
export class DatabaseModule {}
