import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase } from '@keycard/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type BackendKind = 'sqlite' | 'postgres';

/** Where the two services keep their data for one stack; `dispose()` removes all of it. */
export interface Backend {
  kind: BackendKind;
  dataDir: string;
  authEnv: Record<string, string>;
  resourceEnv: Record<string, string>;
  dispose(): Promise<void>;
}

/** `E2E_DATABASE=postgres` runs the suite on PostgreSQL (and Redis when `TEST_REDIS_URL` is set). */
export function backendKind(): BackendKind {
  const wanted = (process.env['E2E_DATABASE'] ?? 'sqlite').toLowerCase();
  if (wanted === 'sqlite' || wanted === 'postgres') return wanted;
  throw new Error(`E2E_DATABASE must be sqlite or postgres, got "${wanted}"`);
}

/**
 * A fresh temporary DATA_DIR and, on PostgreSQL, one fresh database per service (each service
 * has its own), so every stack starts empty and runs never see each other's rows.
 */
export async function createBackend(label: string): Promise<Backend> {
  const kind = backendKind();
  const dataDir = mkdtempSync(join(tmpdir(), `keycard-e2e-${label}-`));
  const databases: TestDatabase[] = [];
  const dispose = async () => {
    await Promise.all(databases.map((database) => database.drop()));
    rmSync(dataDir, { recursive: true, force: true });
  };
  const authEnv: Record<string, string> = { DATA_DIR: dataDir };
  const resourceEnv: Record<string, string> = { DATA_DIR: dataDir };
  if (kind === 'postgres') {
    const baseUrl = process.env['TEST_DATABASE_URL'];
    if (!baseUrl) throw new Error('E2E_DATABASE=postgres needs TEST_DATABASE_URL');
    try {
      databases.push(await createTestPostgresDatabase(baseUrl, `e2e_auth`));
      databases.push(await createTestPostgresDatabase(baseUrl, `e2e_resource`));
    } catch (error) {
      await dispose();
      throw error;
    }
    authEnv['DATABASE_URL'] = databases[0].url;
    resourceEnv['RESOURCE_DATABASE_URL'] = databases[1].url;
    const redisUrl = process.env['TEST_REDIS_URL'];
    if (redisUrl) {
      authEnv['REDIS_URL'] = redisUrl;
      resourceEnv['REDIS_URL'] = redisUrl;
    }
  }
  return { kind, dataDir, authEnv, resourceEnv, dispose };
}
