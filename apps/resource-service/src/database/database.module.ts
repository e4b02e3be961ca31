import { Module } from '@nestjs/common';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { resourceConfig, ResourceSettings } from '../config/resource.config';
import { DocumentEntity } from '../documents/document.entity';
import { RESOURCE_MIGRATIONS } from './migrations/index';

/** Every entity of the resource-service (the migrations spec checks they match the migrations). */
export const RESOURCE_ENTITIES = [DocumentEntity];

/**
 * PostgreSQL (schema from migrations, never `synchronize`) when `RESOURCE_DATABASE_URL` is set;
 * otherwise the embedded SQLite file `DATA_DIR/resource.sqlite`, whose schema TypeORM keeps in step.
 */
export function resourceDatabaseOptions(
  config: Pick<ResourceSettings, 'databaseUrl' | 'dataDir'>,
): TypeOrmModuleOptions {
  if (config.databaseUrl) {
    return {
      type: 'postgres',
      url: config.databaseUrl,
      entities: RESOURCE_ENTITIES,
      synchronize: false,
      migrations: RESOURCE_MIGRATIONS,
      migrationsRun: true,
      migrationsTransactionMode: 'each',
      retryAttempts: 0,
    };
  }
  mkdirSync(config.dataDir, { recursive: true });
  return {
    type: 'better-sqlite3',
    database: join(config.dataDir, 'resource.sqlite'),
    entities: RESOURCE_ENTITIES,
    synchronize: true,
    enableWAL: true,
    retryAttempts: 0,
  };
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [resourceConfig.KEY],
      useFactory: (config: ResourceSettings) => resourceDatabaseOptions(config),
    }),
  ],
})
export class DatabaseModule {}
