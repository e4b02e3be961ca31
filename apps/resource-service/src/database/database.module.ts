import { Module } from '@nestjs/common';
import {
  type DatabaseSettings,
  type ServiceDatabase,
  serviceDatabase,
  serviceTypeOrmModule,
} from '@keycard/common';
import { resourceConfig } from '../config/resource.config';
import { DocumentEntity } from '../documents/document.entity';
import { RESOURCE_MIGRATIONS } from './migrations/index';

/**
 * Every entity of the resource-service: the DataSource is built from this list, and
 * `migrations.int.spec.ts` checks it against the migrations and against every `*.entity.ts`.
 */
export const RESOURCE_ENTITIES = [DocumentEntity];

/** `pg_advisory_lock` key held while the resource-service migrates (auth-service has its own). */
export const RESOURCE_MIGRATION_LOCK = 7_301_002;

/**
 * PostgreSQL (schema from migrations, never `synchronize`) when `RESOURCE_DATABASE_URL` is set;
 * otherwise the embedded SQLite file `DATA_DIR/resource.sqlite`, whose schema TypeORM keeps in step.
 */
export function resourceDatabase(config: DatabaseSettings): ServiceDatabase {
  return serviceDatabase(config, {
    sqliteFile: 'resource.sqlite',
    entities: RESOURCE_ENTITIES,
    migrations: RESOURCE_MIGRATIONS,
  });
}

@Module({
  imports: [serviceTypeOrmModule(resourceConfig.KEY, resourceDatabase, RESOURCE_MIGRATION_LOCK)],
})
export class DatabaseModule {}
