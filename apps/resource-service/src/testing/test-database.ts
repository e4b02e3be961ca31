import { createTestPostgresDatabase, testPostgresUrl } from '@keycard/testing';
import { DataSource } from 'typeorm';
import { RESOURCE_SCHEMA } from '../database/database.module';

export type Backend = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set. */
export function availableBackends(): Backend[] {
  return testPostgresUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestDataSource {
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * A fresh database like the app's: in-memory SQLite with `synchronize`, or a new PostgreSQL
 * database whose schema comes from running the service's migrations.
 */
export async function openTestDataSource(backend: Backend): Promise<TestDataSource> {
  if (backend === 'sqlite') {
    const dataSource = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: RESOURCE_SCHEMA.entities,
      synchronize: true,
    }).initialize();
    return { dataSource, close: () => dataSource.destroy() };
  }
  const database = await createTestPostgresDatabase(testPostgresUrl() as string, 'resource');
  const dataSource = await new DataSource({
    type: 'postgres',
    url: database.url,
    entities: RESOURCE_SCHEMA.entities,
    migrations: RESOURCE_SCHEMA.migrations,
    synchronize: false,
  }).initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
