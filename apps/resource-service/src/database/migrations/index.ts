import type { MigrationInterface } from 'typeorm';
import { CreateDocuments1764288000000 } from './1764288000000-create-documents';

/** Every PostgreSQL migration of the resource-service, oldest first. */
export const RESOURCE_MIGRATIONS: (new () => MigrationInterface)[] = [CreateDocuments1764288000000];
