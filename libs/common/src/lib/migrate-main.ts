import { assertPostgresReachable } from './database';
import { runMain } from './main-runner';
import {
  type DatabaseSettings,
  migrateServiceDatabase,
  serviceDatabase,
  serviceDataSourceOptions,
  type ServiceSchema,
} from './migrations';

/** What a service's `migrate.js` migrates. */
export interface MigrationTarget {
  settings: DatabaseSettings;
  /** The service's schema, whose `migrationLock` its server also holds while migrating at start-up. */
  schema: ServiceSchema;
  /** The setting the PostgreSQL URL came from, named when it cannot be reached. */
  urlVariable: string;
}

/**
 * The whole `migrate.js` of a service (`npx nx run <service>:migrate`): applies the pending
 * migrations under the service's advisory lock without starting the server, e.g. as a release
 * step before new replicas roll out. `target` runs inside, so a configuration error is one line.
 */
export function runMigrateMain(target: () => MigrationTarget): void {
  runMain(async () => {
    const { settings, schema, urlVariable } = target();
    const database = serviceDatabase(settings, schema);
    if (database.databaseUrl) await assertPostgresReachable(database.databaseUrl, urlVariable);
    await migrateServiceDatabase(serviceDataSourceOptions(database), schema.migrationLock);
  });
}
