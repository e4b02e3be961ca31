import type { DataSource } from 'typeorm';
import type { MigrationsUnderTest } from './schema-drift';
import {
  entitiesMissingFrom,
  migrateConcurrently,
  schemaDriftAfterMigrations,
} from './schema-drift';
import { describeOnPostgres } from './postgres';

export interface ServiceMigrations {
  /** The service's name in the test titles, e.g. `resource-service`. */
  service: string;
  /** Prefix of the throwaway PostgreSQL databases, e.g. `resource`. */
  label: string;
  /** The folder whose `*.entity.ts` files the entity list must cover (the app's `src/`). */
  sourceDir: string;
  /** The service's schema (`@keycard/common`'s `ServiceSchema`). */
  schema: MigrationsUnderTest & { migrationLock: number };
  /** How the service migrates at start-up: `runMigrationsExclusively` of `@keycard/common`. */
  migrate: (dataSource: DataSource, migrationLock: number) => Promise<unknown>;
}

/**
 * The checks every service's `database/migrations.int.spec.ts` runs: the entity list forgets no
 * `@Entity` class; and, on a real PostgreSQL server (TEST_DATABASE_URL; skipped without it), the
 * migrations leave no difference with the entities and run once when replicas start together.
 */
export function describeMigrations(service: ServiceMigrations): void {
  const { entities, migrations, migrationLock } = service.schema;
  const schema = { entities, migrations };

  describe(`${service.service} entity list`, () => {
    it('holds every @Entity class of the app', async () => {
      expect(await entitiesMissingFrom(service.sourceDir, entities)).toEqual([]);
    });
  });

  describeOnPostgres(`${service.service} migrations`, (serverUrl) => {
    it('leave no difference between the entities and the migrated schema', async () => {
      const drift = await schemaDriftAfterMigrations(serverUrl, service.label, schema);
      if (drift.length > 0) {
        throw new Error(
          `The entities and the migrations differ; a migration is missing for:\n${drift.join(';\n')}`,
        );
      }
    });

    it('are applied once when several instances start together', async () => {
      const applied = await migrateConcurrently(serverUrl, service.label, schema, (dataSource) =>
        service.migrate(dataSource, migrationLock),
      );
      expect(applied).toEqual(migrations.map((migration) => migration.name));
    });
  });
}
