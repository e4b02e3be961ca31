import { ConfigError } from './env';

/**
 * Fails fast with one line naming the variable when a PostgreSQL URL is set but the database
 * cannot be reached, instead of TypeORM's retry loop and stack traces. The driver is loaded here,
 * not at start-up: a service on SQLite never needs it.
 */
export async function assertPostgresReachable(url: string, variable: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new ConfigError(variable, `cannot connect to the database (${code})`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
