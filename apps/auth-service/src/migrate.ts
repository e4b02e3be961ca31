import 'reflect-metadata';
import {
  assertPostgresReachable,
  migrateServiceDatabase,
  runMain,
  serviceDataSourceOptions,
} from '@keycard/common';
import { loadAuthConfig } from './config/auth.config';
import { AUTH_MIGRATION_LOCK, authDatabase } from './database/database.module';

// `node migrate.js` (`npx nx run auth-service:migrate`): applies the database migrations without
// starting the server, e.g. as a release step before rolling out new instances.
runMain(async () => {
  const config = loadAuthConfig(process.env);
  if (config.databaseUrl) await assertPostgresReachable(config.databaseUrl, 'DATABASE_URL');
  await migrateServiceDatabase(serviceDataSourceOptions(authDatabase(config)), AUTH_MIGRATION_LOCK);
});
