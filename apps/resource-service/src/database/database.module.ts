import { Module } from '@nestjs/common';
import { type ServiceSchema, serviceTypeOrmModule } from '@keycard/common';
import { resourceConfig } from '../config/resource.config';
import { DocumentEntity } from '../documents/document.entity';
import { RESOURCE_MIGRATIONS } from './migrations/index';

/**
 * The resource-service's tables: `migrations.int.spec.ts` checks the entity list against the
 * migrations and against every `*.entity.ts`. PostgreSQL (schema from migrations, never
 * `synchronize`) when `RESOURCE_DATABASE_URL` is set; otherwise the embedded SQLite file
 * `DATA_DIR/resource.sqlite`, whose schema TypeORM keeps in step. The migration lock is the
 * resource-service's own (the auth-service has another).
 */
export const RESOURCE_SCHEMA: ServiceSchema = {
  sqliteFile: 'resource.sqlite',
  entities: [DocumentEntity],
  migrations: RESOURCE_MIGRATIONS,
  migrationLock: 7_301_002,
};

@Module({ imports: [serviceTypeOrmModule(resourceConfig.KEY, RESOURCE_SCHEMA)] })
export class DatabaseModule {}
