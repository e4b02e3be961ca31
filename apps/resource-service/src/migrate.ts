import 'reflect-metadata';
import {
  assertPostgresReachable,
  migrateServiceDatabase,
  runMain,
  serviceDataSourceOptions,
} from '@keycard/common';
import { loadResourceConfig } from './config/resource.config';
import { RESOURCE_MIGRATION_LOCK, resourceDatabase } from './database/database.module';

// `node migrate.js` (`npx nx run resource-service:migrate`): applies the database migrations
// without starting the server, e.g. as a release step before rolling out new replicas.
runMain(async () => {
  const config = loadResourceConfig(process.env);
  if (config.databaseUrl)
    await assertPostgresReachable(config.databaseUrl, 'RESOURCE_DATABASE_URL');
  await migrateServiceDatabase(
    serviceDataSourceOptions(resourceDatabase(config)),
    RESOURCE_MIGRATION_LOCK,
  );
});
