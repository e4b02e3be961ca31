import { Module } from '@nestjs/common';
import { type ServiceSchema, serviceTypeOrmModule } from '@keycard/common';
import { authConfig } from '../config/auth.config';
import { AUTH_ENTITIES } from './entities';
import { AUTH_MIGRATIONS } from './migrations/index';

/**
 * PostgreSQL (schema from migrations, never `synchronize`) when `DATABASE_URL` is set; otherwise
 * the embedded SQLite file `DATA_DIR/auth.sqlite`, whose schema TypeORM keeps in step itself. The
 * migration lock is the auth-service's own (the resource-service has another).
 */
export const AUTH_SCHEMA: ServiceSchema = {
  sqliteFile: 'auth.sqlite',
  entities: AUTH_ENTITIES,
  migrations: AUTH_MIGRATIONS,
  migrationLock: 7_301_001,
};

@Module({ imports: [serviceTypeOrmModule(authConfig.KEY, AUTH_SCHEMA)] })
export class DatabaseModule {}
