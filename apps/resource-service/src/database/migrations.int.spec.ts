import { runMigrationsExclusively } from '@keycard/common';
import { describeMigrations } from '@keycard/testing';
import { join } from 'node:path';
import { RESOURCE_ENTITIES, RESOURCE_MIGRATION_LOCK } from './database.module';
import { RESOURCE_MIGRATIONS } from './migrations/index';

describeMigrations({
  service: 'resource-service',
  label: 'resource',
  sourceDir: join(__dirname, '..'),
  entities: RESOURCE_ENTITIES,
  migrations: RESOURCE_MIGRATIONS,
  migrate: (dataSource) => runMigrationsExclusively(dataSource, RESOURCE_MIGRATION_LOCK),
});
