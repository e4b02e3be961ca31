import { Module } from '@nestjs/common';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { authConfig, AuthSettings } from '../config/auth.config';
import { AUTH_MIGRATIONS } from './migrations/index';

/**
 * PostgreSQL (schema from migrations, never `synchronize`) when `DATABASE_URL` is set; otherwise
 * the embedded SQLite file `DATA_DIR/auth.sqlite`, whose schema TypeORM keeps in step itself.
 */
export function authDatabaseOptions(config: Pick<AuthSettings, 'databaseUrl' | 'dataDir'>): TypeOrmModuleOptions {
  if (config.databaseUrl) {
    return {
      type: 'postgres',
      url: config.databaseUrl,
      autoLoadEntities: true,
      synchronize: false,
      migrations: AUTH_MIGRATIONS,
      migrationsRun: true,
      migrationsTransactionMode: 'each',
      retryAttempts: 0,
    };
  }
  mkdirSync(config.dataDir, { recursive: true });
  return {
    type: 'better-sqlite3',
    database: join(config.dataDir, 'auth.sqlite'),
    autoLoadEntities: true,
    synchronize: true,
    enableWAL: true,
    retryAttempts: 0,
  };
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [authConfig.KEY],
      useFactory: (config: AuthSettings) => authDatabaseOptions(config),
    }),
  ],
})
export class DatabaseModule {}
