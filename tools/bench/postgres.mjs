// The PostgreSQL side of the benchmark: find a server, make a throw-away database on it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const DEFAULT_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The PostgreSQL server to use, or a reason to skip the row. */
export async function findPostgres() {
  const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || DEFAULT_POSTGRES;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { url };
  } catch (error) {
    return { skip: `no PostgreSQL at ${new URL(url).host} (${error.code ?? error.message})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createDatabase(serverUrl) {
  const name = `keycard_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`).finally(() => admin.end());
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client
        .query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
        .finally(() => client.end());
    },
  };
}
