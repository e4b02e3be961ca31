import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL server integration tests run against, when set (`TEST_DATABASE_URL`). */
export function testPostgresUrl(): string | undefined {
  return process.env['TEST_DATABASE_URL'] || undefined;
}

/**
 * The databases a suite runs on, for `describe.each`: SQLite always (no URL: the service's own
 * file or memory), and PostgreSQL too when `TEST_DATABASE_URL` is set (CI sets it), with its URL.
 */
export function testBackendUrls(): [name: 'sqlite' | 'postgres', url: string | undefined][] {
  const url = testPostgresUrl();
  return url
    ? [
        ['sqlite', undefined],
        ['postgres', url],
      ]
    : [['sqlite', undefined]];
}

/**
 * A `describe` that needs a real PostgreSQL server, the one of `TEST_DATABASE_URL`: `body` gets its
 * URL. `npm test` runs without servers, so there the suite is skipped, its title saying why; CI's
 * PostgreSQL and Redis step sets the variable and runs it.
 */
export function describeOnPostgres(title: string, body: (serverUrl: string) => void): void {
  const url = testPostgresUrl();
  if (url !== undefined) describe(`${title} (PostgreSQL)`, () => body(url));
  else
    describe.skip(`${title} (PostgreSQL; skipped: TEST_DATABASE_URL is not set)`, () => body(''));
}

/** The Redis server integration tests run against, when set (`TEST_REDIS_URL`). */
export function testRedisUrl(): string | undefined {
  return process.env['TEST_REDIS_URL'] || undefined;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates a fresh, empty PostgreSQL database on the server of `TEST_DATABASE_URL`, so each test
 * file runs on its own schema and parallel workers never see each other's rows.
 */
export async function createTestPostgresDatabase(
  baseUrl: string,
  label = 'test',
): Promise<TestDatabase> {
  const name =
    `keycard_${label.replace(/\W/g, '_').slice(0, 20)}_${randomBytes(5).toString('hex')}`.toLowerCase();
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
