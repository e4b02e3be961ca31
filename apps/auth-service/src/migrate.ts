import 'reflect-metadata';
import { runMigrateMain } from '@keycard/common';
import { loadAuthConfig } from './config/auth.config';
import { AUTH_MIGRATION_LOCK, authDatabase } from './database/database.module';

// `node migrate.js` (`npx nx run auth-service:migrate`): the migrations without the server.
runMigrateMain(() => ({
  database: authDatabase(loadAuthConfig(process.env)),
  lockKey: AUTH_MIGRATION_LOCK,
  urlVariable: 'DATABASE_URL',
}));
