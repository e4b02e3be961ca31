import 'reflect-metadata';
import { runMigrateMain } from '@keycard/common';
import { loadResourceConfig } from './config/resource.config';
import { RESOURCE_SCHEMA } from './database/database.module';

// `node migrate.js` (`npx nx run resource-service:migrate`): the migrations without the server.
runMigrateMain(() => ({
  settings: loadResourceConfig(process.env),
  schema: RESOURCE_SCHEMA,
  urlVariable: 'RESOURCE_DATABASE_URL',
}));
