import { assertPostgresReachable } from './database';
import { runMain } from './main-runner';
import {
  migrateServiceDatabase,
  serviceDataSourceOptions,
  type ServiceDatabase,
} from './migrations';

/** What a service's `migrate.js` migrates. */
export interface MigrationTarget {
  database: ServiceDatabase;
  /** The service's `pg_advisory_lock` key, the one its server holds while migrating at start-up. */
  lockKey: number;
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
    const { database, lockKey, urlVariable } = target();
    if (database.databaseUrl) await assertPostgresReachable(database.databaseUrl, urlVariable);
    await migrateServiceDatabase(serviceDataSourceOptions(database), lockKey);
  });
}
