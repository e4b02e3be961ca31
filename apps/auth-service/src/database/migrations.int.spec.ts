import { runMigrationsExclusively } from '@keycard/common';
import {
  entitiesMissingFrom,
  migrateConcurrently,
  schemaDriftAfterMigrations,
  testPostgresUrl,
} from '@keycard/testing';
import { join } from 'node:path';
import { AUTH_MIGRATION_LOCK } from './database.module';
import { AUTH_ENTITIES } from './entities';
import { AUTH_MIGRATIONS } from './migrations/index';

const schema = { entities: AUTH_ENTITIES, migrations: AUTH_MIGRATIONS };
const postgresUrl = testPostgresUrl();

describe('auth-service entity list', () => {
  it('holds every @Entity class of the app', async () => {
    expect(await entitiesMissingFrom(join(__dirname, '..'), AUTH_ENTITIES)).toEqual([]);
  });
});

// Needs a real PostgreSQL server: CI sets TEST_DATABASE_URL; without it the suite is skipped.
(postgresUrl ? describe : describe.skip)(
  `auth-service migrations (PostgreSQL${postgresUrl ? '' : '; skipped: TEST_DATABASE_URL is not set'})`,
  () => {
    it('leave no difference between the entities and the migrated schema', async () => {
      const drift = await schemaDriftAfterMigrations(postgresUrl as string, 'auth', schema);
      if (drift.length > 0) {
        throw new Error(
          `The entities and the migrations differ; a migration is missing for:\n${drift.join(';\n')}`,
        );
      }
    });

    it('are applied once when several instances start together', async () => {
      const applied = await migrateConcurrently(
        postgresUrl as string,
        'auth',
        schema,
        (dataSource) => runMigrationsExclusively(dataSource, AUTH_MIGRATION_LOCK),
      );
      expect(applied).toEqual(AUTH_MIGRATIONS.map((migration) => migration.name));
    });
  },
);
