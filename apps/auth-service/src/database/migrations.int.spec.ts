import { runMigrationsExclusively } from '@keycard/common';
import { describeMigrations } from '@keycard/testing';
import { join } from 'node:path';
import { AUTH_MIGRATION_LOCK } from './database.module';
import { AUTH_ENTITIES } from './entities';
import { AUTH_MIGRATIONS } from './migrations/index';

describeMigrations({
  service: 'auth-service',
  label: 'auth',
  sourceDir: join(__dirname, '..'),
  entities: AUTH_ENTITIES,
  migrations: AUTH_MIGRATIONS,
  migrate: (dataSource) => runMigrationsExclusively(dataSource, AUTH_MIGRATION_LOCK),
});
