import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase } from '@keycard/testing';
import { VERBOSE_LOGS } from './log-secrets';
import { freePorts } from './ports';
import type { ServiceName, StopResult } from './service-process';
import type { ClientPair, Credentials, RunningService } from './stack';
import { baseEnv, randomSecret, startService } from './stack';

/**
 * The docker-compose.yml topology, natively: one auth-service and two resource-service replicas
 * on PostgreSQL and Redis, with the settings the compose file passes. `E2E_TOPOLOGY=1` turns it
 * on (`node tools/scripts/topology.mjs` sets it, with TEST_DATABASE_URL and TEST_REDIS_URL).
 */
export interface Topology {
  auth: RunningService;
  /** resource-service-1 and resource-service-2: one database, one Redis, one client. */
  resources: [RunningService, RunningService];
  issuer: string;
  admin: Credentials;
  client: ClientPair;
  /** Every secret the processes were started with, for the log check. */
  secrets: Record<string, string>;
  /**
   * Starts the auth-service again (same port, database and settings) after `auth.process.stop()`;
   * its logs are `<label>.auth-restarted.*`.
   */
  restartAuth(): Promise<RunningService>;
  /**
   * Stops replica `index`, runs `whileDown`, and starts it again (same port and settings); its
   * logs are `<label>.resource-<n>-restarted.*`.
   */
  restartResource(index: 0 | 1, whileDown?: () => Promise<void>): Promise<RunningService>;
  /**
   * One step of a rolling restart: SIGTERM to the auth-service or replica `index`, wait for its
   * exit, start it again (same port and settings; logs `<label>.<service>-restarted.*`) and wait
   * until its `/health/ready` answers 200.
   */
  roll(target: 'auth' | 0 | 1): Promise<RollResult>;
  /** Stops the replicas, then the auth-service, and drops both scratch databases. */
  stop(): Promise<void>;
}

/** How one rolling-restart step went. */
export interface RollResult {
  service: string;
  exit: StopResult;
  /** From SIGTERM to the exit (the drain, then closing). */
  stopMs: number;
  /** From starting the new process to its `/health/ready` answering 200. */
  startMs: number;
}

/**
 * The longest a start-up may take, to `/health` and again to `/health/ready`: start-up itself
 * takes a few seconds, but a loaded 2-core CI machine has overrun the harness's usual 20 s.
 */
const START_TIMEOUT_MS = 60_000;
/** A graceful stop's bound: `SHUTDOWN_DRAIN` (at most 2 s here) + `SHUTDOWN_TIMEOUT` (10 s). */
const STOP_GRACE_MS = 15_000;

/** Why the topology spec is skipped, or undefined when it can run. */
export function topologyUnavailable(): string | undefined {
  if (process.env['E2E_TOPOLOGY'] !== '1') {
    return 'E2E_TOPOLOGY is not 1 (run `npm run topology`)';
  }
  if (!process.env['TEST_DATABASE_URL'] || !process.env['TEST_REDIS_URL']) {
    return 'E2E_TOPOLOGY=1 needs TEST_DATABASE_URL and TEST_REDIS_URL';
  }
  return undefined;
}

/**
 * Scratch database names start with `keycard_<prefix>`: `E2E_TOPOLOGY_RUN` (set by the script)
 * makes them findable, so the script can drop what a crashed run left behind.
 */
function databaseLabel(service: string): string {
  const run = (process.env['E2E_TOPOLOGY_RUN'] ?? 'run').replace(/\W/g, '').slice(0, 8);
  return `topo_${run}_${service}`;
}

/** The auth-service's compose settings (docker-compose.yml, `auth-service.environment`). */
function authSettings(issuer: string, port: number, databaseUrl: string, redisUrl: string) {
  return {
    AUTH_PORT: String(port),
    AUTH_HOST: '127.0.0.1',
    AUTH_ISSUER: issuer,
    AUTH_AUDIENCE: 'keycard',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    ACCESS_TOKEN_TTL: '15m',
    REFRESH_TOKEN_TTL: '7d',
    REFRESH_REUSE_INTERVAL: '10s',
    JWKS_MAX_AGE: '300s',
    KEY_ROTATION_INTERVAL: '30d',
    SESSION_IDLE_TTL: '30m',
    SESSION_TTL: '24h',
    COOKIE_SECURE: 'true',
    TRUST_PROXY: 'false',
    GOOGLE_CLIENT_ID: '',
    GOOGLE_CLIENT_SECRET: '',
    GOOGLE_CALLBACK_URL: `${issuer}/auth/google/callback`,
  };
}

/** The replicas' compose settings (docker-compose.yml, `x-resource-service.environment`). */
function resourceSettings(issuer: string, databaseUrl: string, redisUrl: string) {
  return {
    RESOURCE_HOST: '127.0.0.1',
    AUTH_ISSUER: issuer,
    AUTH_INTERNAL_URL: issuer,
    AUTH_AUDIENCE: 'keycard',
    RESOURCE_DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    JWKS_MIN_REFETCH_INTERVAL: '30s',
    API_KEY_CACHE_TTL: '5s',
    API_KEY_RATE_LIMIT: '600',
  };
}

/**
 * Settings on top of the compose ones, e.g. `SMTP_URL` for a spec that reads the mail, or
 * `SHUTDOWN_DRAIN` (the harness's default is `0s`: nothing watches readiness unless a spec does).
 */
export interface TopologyOptions {
  authEnv?: Record<string, string>;
  resourceEnv?: Record<string, string>;
}

/** Starts the auth-service, waits for its health, then the two replicas together. */
export async function startTopology(
  label: string,
  options: TopologyOptions = {},
): Promise<Topology> {
  const reason = topologyUnavailable();
  if (reason) throw new Error(reason);
  const baseUrl = process.env['TEST_DATABASE_URL'] as string;
  const redisUrl = process.env['TEST_REDIS_URL'] as string;
  const [authPort, port1, port2] = await freePorts(3);
  const issuer = `http://127.0.0.1:${authPort}`;
  const admin = { email: 'admin@example.test', password: randomSecret(32) };
  const client = { id: 'resource-service', secret: randomSecret(40) };
  const keysSecret = randomSecret(48);
  const databases: TestDatabase[] = [];
  const running: RunningService[] = [];
  let auth: RunningService | undefined;
  const stop = async () => {
    // Replicas first (their last usage report still reaches the auth-service), as compose does.
    for (const service of [...running].reverse()) await service.process.stop();
    if (auth) await auth.process.stop();
    await Promise.all(databases.map((database) => database.drop()));
  };
  try {
    databases.push(await createTestPostgresDatabase(baseUrl, databaseLabel('auth')));
    databases.push(await createTestPostgresDatabase(baseUrl, databaseLabel('resource')));
    const authEnv = {
      ...baseEnv(),
      ...authSettings(issuer, authPort, databases[0].url, redisUrl),
      KEYS_ENCRYPTION_SECRET: keysSecret,
      BOOTSTRAP_ADMIN_EMAIL: admin.email,
      BOOTSTRAP_ADMIN_PASSWORD: admin.password,
      BOOTSTRAP_CLIENTS: `${client.id}:${client.secret}:introspect usage:report`,
      // Every e2e user signs up from 127.0.0.1, and REGISTER_RATE_LIMIT counts per address.
      REGISTER_RATE_LIMIT: '100000',
      ...VERBOSE_LOGS,
      ...options.authEnv,
    };
    const start = (name: ServiceName, service: string, env: Record<string, string>, url: string) =>
      startService(name, `${label}.${service}`, env, url, START_TIMEOUT_MS);
    auth = await start('auth-service', 'auth', authEnv, issuer);
    const resourceEnv = {
      ...baseEnv(),
      ...resourceSettings(issuer, databases[1].url, redisUrl),
      AUTH_CLIENT_ID: client.id,
      AUTH_CLIENT_SECRET: client.secret,
      ...VERBOSE_LOGS,
      ...options.resourceEnv,
    };
    const startReplica = (index: 0 | 1, service: string) => {
      const port = [port1, port2][index];
      const env = { ...resourceEnv, RESOURCE_PORT: String(port) };
      return start('resource-service', service, env, `http://127.0.0.1:${port}`);
    };
    // Both at once, as compose starts them, on the one shared, still empty database: the
    // advisory lock lets one replica migrate while the other waits and then finds nothing to do.
    const started = await Promise.allSettled(
      ([0, 1] as const).map((index) => startReplica(index, `resource-${index + 1}`)),
    );
    // Every replica that came up is stopped by `stop`, even when its twin failed.
    const replicas: RunningService[] = [];
    for (const result of started) if (result.status === 'fulfilled') replicas.push(result.value);
    running.push(...replicas);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    /** Replica `index`, stopped, started again in its place. */
    const startReplicaAgain = async (index: 0 | 1) => {
      const old = topology.resources[index];
      const again = await startReplica(index, `resource-${index + 1}-restarted`);
      running[running.indexOf(old)] = again;
      topology.resources[index] = again;
      return again;
    };
    const topology: Topology = {
      auth,
      resources: [replicas[0], replicas[1]],
      issuer,
      admin,
      client,
      secrets: {
        'admin password': admin.password,
        'client secret': client.secret,
        KEYS_ENCRYPTION_SECRET: keysSecret,
      },
      restartAuth: async () => {
        if (auth?.process.running) throw new Error('stop the auth-service first');
        auth = await start('auth-service', 'auth-restarted', authEnv, issuer);
        topology.auth = auth;
        return auth;
      },
      restartResource: async (index, whileDown) => {
        await topology.resources[index].process.stop();
        await whileDown?.();
        return startReplicaAgain(index);
      },
      roll: async (target) => {
        const old = target === 'auth' ? topology.auth : topology.resources[target];
        const stopping = Date.now();
        const exit = await old.process.stop(STOP_GRACE_MS);
        const starting = Date.now();
        const again =
          target === 'auth' ? await topology.restartAuth() : await startReplicaAgain(target);
        await again.process.waitUntilReady(
          again.url,
          Math.max(1, START_TIMEOUT_MS - (Date.now() - starting)),
        );
        return {
          service: target === 'auth' ? 'auth-service' : `resource-service-${target + 1}`,
          exit,
          stopMs: starting - stopping,
          startMs: Date.now() - starting,
        };
      },
      stop,
    };
    return topology;
  } catch (error) {
    await stop();
    throw error;
  }
}
