import type { MigrationInterface } from 'typeorm';
import { RefreshTokens1764300000300 } from './1764300000300-refresh-tokens';

/** Every PostgreSQL migration of the auth-service, oldest first. */
export const AUTH_MIGRATIONS: (new () => MigrationInterface)[] = [RefreshTokens1764300000300];
