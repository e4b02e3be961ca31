import type { EntitySchema, MigrationInterface } from 'typeorm';
import { DataSource } from 'typeorm';
import { createTestPostgresDatabase, testPostgresUrl } from '@keycard/testing';
import { AUTH_MIGRATIONS } from '../database/migrations/index';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityTarget = Function | EntitySchema;

export interface OpenDatabase {
  dataSource: DataSource;
  close(): Promise<void>;
}

export interface DatabaseBackend {
  name: 'sqlite' | 'postgres';
  open(entities: EntityTarget[]): Promise<OpenDatabase>;
}

const sqlite: DatabaseBackend = {
  name: 'sqlite',
  async open(entities) {
    const dataSource = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities,
      synchronize: true,
    }).initialize();
    return { dataSource, close: () => dataSource.destroy() };
  },
};

/** PostgreSQL: a fresh database per call, schema made by the real migrations (as in production). */
function postgres(baseUrl: string, migrations: (new () => MigrationInterface)[]): DatabaseBackend {
  return {
    name: 'postgres',
    async open(entities) {
      const database = await createTestPostgresDatabase(baseUrl, 'auth');
      const dataSource = await new DataSource({
        type: 'postgres',
        url: database.url,
        entities,
        migrations,
        migrationsRun: true,
      }).initialize();
      return {
        dataSource,
        close: async () => {
          await dataSource.destroy();
          await database.drop();
        },
      };
    },
  };
}

/** SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set (CI sets it). */
export function databaseBackends(): DatabaseBackend[] {
  const url = testPostgresUrl();
  return url ? [sqlite, postgres(url, AUTH_MIGRATIONS)] : [sqlite];
}

/**
 * Counts the round trips a test makes `dataSource` do: every TypeORM query runner, and on
 * PostgreSQL every connection taken from the pool (the auth-service's prepared statements,
 * `PostgresStatements`, take one without a query runner).
 */
export function watchDatabaseCalls(dataSource: DataSource): {
  calls(): number;
  restore(): void;
} {
  const spies: jest.SpyInstance[] = [jest.spyOn(dataSource.driver, 'createQueryRunner')];
  const { master } = dataSource.driver as unknown as { master?: { connect: () => unknown } };
  if (dataSource.options.type === 'postgres' && master) spies.push(jest.spyOn(master, 'connect'));
  return {
    calls: () => spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

/**
 * A fresh PostgreSQL database on `baseUrl` with the auth-service's migrations before `migration`
 * applied, for a spec of that migration's step (it runs `up` itself, on rows it wrote first).
 */
export async function migratedUpTo(
  baseUrl: string,
  migration: new () => MigrationInterface,
  label: string,
): Promise<OpenDatabase> {
  const database = await createTestPostgresDatabase(baseUrl, label);
  const dataSource = await new DataSource({
    type: 'postgres',
    url: database.url,
    migrations: AUTH_MIGRATIONS.slice(0, AUTH_MIGRATIONS.indexOf(migration)),
  }).initialize();
  await dataSource.runMigrations();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
