import 'reflect-metadata';
import { runMigrateMain } from '@keycard/common';
import { loadSettings } from './app/settings';
import { AUTH_MIGRATION_LOCK, authDatabase } from './database/database.module';

// `node migrate.js` (`npx nx run auth-service:migrate`): the migrations without the server.
runMigrateMain(() => ({
  database: authDatabase(loadSettings(process.env)),
  lockKey: AUTH_MIGRATION_LOCK,
  urlVariable: 'DATABASE_URL',
}));
