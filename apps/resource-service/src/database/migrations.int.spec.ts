import { runMigrationsExclusively } from '@keycard/common';
import {
  entitiesMissingFrom,
  migrateConcurrently,
  schemaDriftAfterMigrations,
  testPostgresUrl,
} from '@keycard/testing';
import { join } from 'node:path';
import { RESOURCE_ENTITIES, RESOURCE_MIGRATION_LOCK } from './database.module';
import { RESOURCE_MIGRATIONS } from './migrations/index';

const schema = { entities: RESOURCE_ENTITIES, migrations: RESOURCE_MIGRATIONS };
const postgresUrl = testPostgresUrl();

describe('resource-service entity list', () => {
  it('holds every @Entity class of the app', async () => {
    expect(await entitiesMissingFrom(join(__dirname, '..'), RESOURCE_ENTITIES)).toEqual([]);
  });
});

// Needs a real PostgreSQL server: CI sets TEST_DATABASE_URL; without it the suite is skipped.
(postgresUrl ? describe : describe.skip)(
  `resource-service migrations (PostgreSQL${postgresUrl ? '' : '; skipped: TEST_DATABASE_URL is not set'})`,
  () => {
    it('leave no difference between the entities and the migrated schema', async () => {
      const drift = await schemaDriftAfterMigrations(postgresUrl as string, 'resource', schema);
      if (drift.length > 0) {
        throw new Error(
          `The entities and the migrations differ; a migration is missing for:\n${drift.join(';\n')}`,
        );
      }
    });

    it('are applied once when several replicas start together', async () => {
      const applied = await migrateConcurrently(
        postgresUrl as string,
        'resource',
        schema,
        (dataSource) => runMigrationsExclusively(dataSource, RESOURCE_MIGRATION_LOCK),
      );
      expect(applied).toEqual(RESOURCE_MIGRATIONS.map((migration) => migration.name));
    });
  },
);
