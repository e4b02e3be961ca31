import 'reflect-metadata';
import { runMigrateMain } from '@keycard/common';
import { loadResourceConfig } from './config/resource.config';
import { RESOURCE_MIGRATION_LOCK, resourceDatabase } from './database/database.module';

// `node migrate.js` (`npx nx run resource-service:migrate`): the migrations without the server.
runMigrateMain(() => ({
  database: resourceDatabase(loadResourceConfig(process.env)),
  lockKey: RESOURCE_MIGRATION_LOCK,
  urlVariable: 'RESOURCE_DATABASE_URL',
}));
