import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EntitySchema, MigrationInterface } from 'typeorm';
import { DataSource, getMetadataArgsStorage } from 'typeorm';
import { createTestPostgresDatabase } from './postgres';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityClass = Function | EntitySchema;

/**
 * The names of the `@Entity` classes exported by a `*.entity.ts` under `dir` that are not in
 * `entities`, so a spec can check that a service's entity list forgets none of them.
 */
export async function entitiesMissingFrom(dir: string, entities: EntityClass[]): Promise<string[]> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) =>
    file.endsWith('.entity.ts'),
  );
  const exported: unknown[] = (
    await Promise.all(files.map(async (file) => Object.values(await import(join(dir, file)))))
  ).flat();
  const known = new Set<unknown>(entities);
  const tables = new Set<unknown>(getMetadataArgsStorage().tables.map((table) => table.target));
  return exported
    .filter((value) => tables.has(value) && !known.has(value))
    .map((value) => (value as { name: string }).name);
}

export interface MigrationsUnderTest {
  entities: EntityClass[];
  migrations: (new () => MigrationInterface)[];
}

/**
 * Runs every migration on a fresh PostgreSQL database (on the server of `baseUrl`, dropped after),
 * then returns the SQL TypeORM would still run to make the schema match `entities`: empty when
 * the migrations and the entities agree.
 */
export async function schemaDriftAfterMigrations(
  baseUrl: string,
  label: string,
  schema: MigrationsUnderTest,
): Promise<string[]> {
  const database = await createTestPostgresDatabase(baseUrl, `${label}_drift`);
  try {
    const dataSource = await new DataSource({
      type: 'postgres',
      url: database.url,
      entities: schema.entities,
      migrations: schema.migrations,
    }).initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
      const pending = await dataSource.driver.createSchemaBuilder().log();
      return pending.upQueries.map((query) => query.query);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await database.drop();
  }
}

/**
 * Starts `instances` DataSources on one fresh PostgreSQL database and lets each run `migrate` at
 * the same moment, as replicas starting together would; resolves to the names recorded in the
 * migrations table, in order. Rejects if any instance failed.
 */
export async function migrateConcurrently(
  baseUrl: string,
  label: string,
  schema: MigrationsUnderTest,
  migrate: (dataSource: DataSource) => Promise<unknown>,
  instances = 3,
): Promise<string[]> {
  const database = await createTestPostgresDatabase(baseUrl, `${label}_race`);
  const dataSources: DataSource[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      dataSources.push(
        await new DataSource({
          type: 'postgres',
          url: database.url,
          entities: schema.entities,
          migrations: schema.migrations,
        }).initialize(),
      );
    }
    await Promise.all(dataSources.map((dataSource) => migrate(dataSource)));
    const rows: { name: string }[] = await dataSources[0].query(
      'SELECT name FROM migrations ORDER BY id',
    );
    return rows.map((row) => row.name);
  } finally {
    await Promise.all(dataSources.map((dataSource) => dataSource.destroy()));
    await database.drop();
  }
}
