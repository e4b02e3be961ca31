import 'reflect-metadata';
import { runMigrateMain } from '@keycard/common';
import { loadSettings } from './app/settings';
import { AUTH_SCHEMA } from './database/database.module';

// `node migrate.js` (`npx nx run auth-service:migrate`): the migrations without the server.
runMigrateMain(() => ({
  settings: loadSettings(process.env),
  schema: AUTH_SCHEMA,
  urlVariable: 'DATABASE_URL',
}));
