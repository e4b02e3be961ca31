import { runMigrationsExclusively } from '@keycard/common';
import { describeMigrations } from '@keycard/testing';
import { join } from 'node:path';
import { RESOURCE_SCHEMA } from './database.module';

describeMigrations({
  service: 'resource-service',
  label: 'resource',
  sourceDir: join(__dirname, '..'),
  schema: RESOURCE_SCHEMA,
  migrate: runMigrationsExclusively,
});
