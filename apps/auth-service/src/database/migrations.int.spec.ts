import { runMigrationsExclusively } from '@keycard/common';
import { describeMigrations } from '@keycard/testing';
import { join } from 'node:path';
import { AUTH_SCHEMA } from './database.module';

describeMigrations({
  service: 'auth-service',
  label: 'auth',
  sourceDir: join(__dirname, '..'),
  schema: AUTH_SCHEMA,
  migrate: runMigrationsExclusively,
});
