// The stack a fault run (and the soak) works on: its own PostgreSQL and Redis, one auth-service and
// one resource-service built from dist/, and a client with users, API keys and sessions.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomSecret, serviceProcess, sparePort, startPostgres, startRedis } from './servers.mjs';
import { call, Client } from './traffic.mjs';

const { Client: PgClient } = createRequire(import.meta.url)('pg');

/** Builds both services unless their bundles exist (`--build` forces, `--skip-build` never). */
export function buildOnce(root, argv) {
  const built = ['auth-service', 'resource-service'].every((app) =>
    existsSync(join(root, 'dist', 'apps', app, 'main.js')),
  );
  if (argv.includes('--skip-build') || (built && !argv.includes('--build'))) return;
  const args = ['nx', 'run-many', '-t', 'build', '-p', 'auth-service', 'resource-service'];
  const result = spawnSync('npx', [...args, '--output-style=static'], {
    cwd: root,
    stdio: 'inherit',
    env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...process.env },
  });
  if (result.status !== 0) throw new Error('build failed');
}

/** Runs `sql` on `url` (one connection), returning the rows. */
export async function query(url, sql, params = []) {
  const client = new PgClient({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Settings of the run: short timeouts so faults show in seconds; `extra` overrides. */
// SHUTDOWN_DRAIN 0s: no load balancer watches these processes' readiness, so a graceful stop
// need not wait for one.
export const TIMEOUTS = { REDIS_TIMEOUT: '500ms', DATABASE_TIMEOUT: '2s', SHUTDOWN_DRAIN: '0s' };
export const API_KEY_CACHE_TTL_S = 5;

/**
 * Starts PostgreSQL, Redis, the auth-service and the resource-service, and sets up `users`
 * users. Returns `{ postgres, redis, auth, resource, client, authDb, admin, stop() }`.
 */
export async function startStack({ root, logDir, users = 4, authEnv = {}, resourceEnv = {} }) {
  const postgres = await startPostgres();
  const redis = await startRedis();
  for (const name of ['auth', 'resource']) await query(postgres.url, `CREATE DATABASE ${name}`);
  const [authPort, resourcePort] = [await sparePort(), await sparePort()];
  const issuer = `http://127.0.0.1:${authPort}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-faults-data-'));
  const admin = { email: 'admin@example.test', password: randomSecret(24) };
  const serviceClient = { id: 'resource-service', secret: randomSecret(40) };
  const auth = serviceProcess({
    root,
    app: 'auth-service',
    label: 'auth-service',
    logDir,
    url: issuer,
    env: {
      AUTH_PORT: String(authPort),
      AUTH_HOST: '127.0.0.1',
      AUTH_ISSUER: issuer,
      DATA_DIR: join(dataDir, 'auth'),
      DATABASE_URL: postgres.databaseUrl('auth'),
      REDIS_URL: redis.url,
      KEYS_ENCRYPTION_SECRET: randomSecret(48),
      COOKIE_SECURE: 'false',
      REFRESH_REUSE_INTERVAL: '60s',
      BOOTSTRAP_ADMIN_EMAIL: admin.email,
      BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      BOOTSTRAP_CLIENTS: `${serviceClient.id}:${serviceClient.secret}:introspect usage:report`,
      REGISTER_RATE_LIMIT: '100000',
      LOG_LEVEL: 'warn',
      ...TIMEOUTS,
      ...authEnv,
    },
  });
  const resource = serviceProcess({
    root,
    app: 'resource-service',
    label: 'resource-service',
    logDir,
    url: `http://127.0.0.1:${resourcePort}`,
    env: {
      RESOURCE_PORT: String(resourcePort),
      RESOURCE_HOST: '127.0.0.1',
      AUTH_ISSUER: issuer,
      AUTH_INTERNAL_URL: issuer,
      DATA_DIR: join(dataDir, 'resource'),
      RESOURCE_DATABASE_URL: postgres.databaseUrl('resource'),
      REDIS_URL: redis.url,
      AUTH_CLIENT_ID: serviceClient.id,
      AUTH_CLIENT_SECRET: serviceClient.secret,
      API_KEY_CACHE_TTL: `${API_KEY_CACHE_TTL_S}s`,
      API_KEY_RATE_LIMIT: '100000',
      JWKS_MIN_REFETCH_INTERVAL: '1s',
      LOG_LEVEL: 'warn',
      ...TIMEOUTS,
      ...resourceEnv,
    },
  });
  const stop = async () => {
    await resource.stop();
    await auth.stop();
    await redis.destroy();
    await postgres.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await auth.start();
    await resource.start();
    const client = new Client({ auth: auth.url, resource: resource.url, admin });
    await client.setUp(users);
    return {
      postgres,
      redis,
      auth,
      resource,
      client,
      admin,
      authDb: postgres.databaseUrl('auth'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A fresh access token of the bootstrap admin. */
export async function adminToken(stack) {
  const answer = await call(`${stack.auth.url}/auth/login`, { method: 'POST', json: stack.admin });
  if (answer.status !== 200) throw new Error(`admin login: ${answer.status}`);
  return answer.body.accessToken;
}
