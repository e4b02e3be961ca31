import { randomBytes } from 'node:crypto';
import type { Backend } from './backend';
import { createBackend } from './backend';
import { freePorts } from './ports';
import type { ServiceName } from './service-process';
import { ServiceProcess } from './service-process';

export interface Credentials {
  email: string;
  password: string;
}

export interface RunningService {
  process: ServiceProcess;
  url: string;
}

/** A registered service client (`BOOTSTRAP_CLIENTS`); the resource-service authenticates as it. */
export interface ClientPair {
  id: string;
  secret: string;
}

export interface Stack {
  auth: RunningService;
  resource: RunningService;
  /** `AUTH_ISSUER`: the tokens' `iss`. */
  issuer: string;
  admin: Credentials;
  /** The resource-service's own client (`AUTH_CLIENT_ID` / `AUTH_CLIENT_SECRET`). */
  client: ClientPair;
  backend: Backend;
  /**
   * Starts one more resource-service against the same auth-service (same client, `env` on top of
   * the first one's settings); `stop()` stops it too.
   */
  startResource(label: string, env?: Record<string, string>): Promise<RunningService>;
  /**
   * Starts the auth-service again (same port, data and settings) after `auth.process.stop()`;
   * `auth` then is the new process. Its logs are `<label>-restarted.*`.
   */
  restartAuth(): Promise<RunningService>;
  /** Stops both services (printing their log tails if a test of this file failed) and drops the data. */
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Names the log files: `artifacts/e2e-logs/<label>.<service>.std{out,err}.log`. */
  label: string;
  /** Extra or overriding auth-service settings. */
  authEnv?: Record<string, string>;
  resourceEnv?: Record<string, string>;
  /**
   * The issuer's host name (the services still listen on 127.0.0.1). `localhost` for passkeys:
   * WebAuthn refuses an IP address as relying-party id.
   */
  issuerHost?: 'localhost';
}

/**
 * A clean environment: only what node needs, so a developer's shell settings never leak in, and
 * plain (uncoloured) log files. No shutdown drain: no load balancer watches these processes (the
 * topology sets its own), so a stop takes no 5 s.
 */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: '1', SHUTDOWN_DRAIN: '0s' };
  for (const name of ['PATH', 'HOME', 'LANG', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export function randomSecret(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

function testFailed(): boolean {
  return (globalThis as { __KEYCARD_E2E_FAILED__?: boolean }).__KEYCARD_E2E_FAILED__ === true;
}

/**
 * Spawns one built app and waits for its `/health` (at most `timeoutMs`, default 20 s); on failure
 * stops it and throws with its log tail.
 */
export async function startService(
  name: ServiceName,
  label: string,
  env: Record<string, string>,
  url: string,
  timeoutMs?: number,
): Promise<RunningService> {
  const service = ServiceProcess.spawn(name, label, env);
  try {
    await service.waitUntilHealthy(url, timeoutMs);
  } catch (error) {
    await service.stop();
    throw new Error(`${(error as Error).message}\n${service.logTail()}`);
  }
  return { process: service, url };
}

/**
 * Starts the built auth-service, waits for its health check, then the resource-service pointed
 * at it, each on a free port of 127.0.0.1 with a fresh backend.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const [authPort, resourcePort] = await freePorts(2);
  const issuer = `http://${options.issuerHost ?? '127.0.0.1'}:${authPort}`;
  const admin = { email: 'admin@example.test', password: randomSecret(24) };
  const client = { id: 'e2e-resource', secret: randomSecret(40) };
  const backend = await createBackend(options.label);
  const authEnv = {
    ...baseEnv(),
    ...backend.authEnv,
    AUTH_PORT: String(authPort),
    AUTH_HOST: '127.0.0.1',
    AUTH_ISSUER: issuer,
    BOOTSTRAP_ADMIN_EMAIL: admin.email,
    BOOTSTRAP_ADMIN_PASSWORD: admin.password,
    KEYS_ENCRYPTION_SECRET: randomSecret(48),
    COOKIE_SECURE: 'false',
    // usage:report: the resource-service's usage reports are accepted only with it.
    BOOTSTRAP_CLIENTS: `${client.id}:${client.secret}:usage:report`,
    // Every e2e user signs up from 127.0.0.1, and REGISTER_RATE_LIMIT counts per address.
    REGISTER_RATE_LIMIT: '100000',
    ...options.authEnv,
  };
  const resourceEnv = {
    ...baseEnv(),
    ...backend.resourceEnv,
    RESOURCE_PORT: String(resourcePort),
    RESOURCE_HOST: '127.0.0.1',
    AUTH_ISSUER: issuer,
    AUTH_CLIENT_ID: client.id,
    AUTH_CLIENT_SECRET: client.secret,
    ...options.resourceEnv,
  };
  let auth: RunningService | undefined;
  try {
    // Health checks and API calls go to the address it listens on; the browser uses the issuer.
    auth = await startService(
      'auth-service',
      options.label,
      authEnv,
      `http://127.0.0.1:${authPort}`,
    );
    const resource = await startService(
      'resource-service',
      options.label,
      resourceEnv,
      `http://127.0.0.1:${resourcePort}`,
    );
    const running = { auth, resource, extra: [] as RunningService[] };
    const startResource = async (label: string, env: Record<string, string> = {}) => {
      const [port] = await freePorts(1);
      const url = `http://127.0.0.1:${port}`;
      const extraEnv = { ...resourceEnv, RESOURCE_PORT: String(port), ...env };
      const started = await startService('resource-service', label, extraEnv, url);
      running.extra.push(started);
      return started;
    };
    const stack: Stack = {
      auth,
      resource,
      issuer,
      admin,
      client,
      backend,
      startResource,
      restartAuth: async () => {
        if (running.auth.process.running) throw new Error('stop the auth-service first');
        running.auth = await startService(
          'auth-service',
          `${options.label}-restarted`,
          authEnv,
          issuer,
        );
        stack.auth = running.auth;
        return running.auth;
      },
      stop: () => stopStack(running, backend),
    };
    return stack;
  } catch (error) {
    if (auth) {
      await auth.process.stop();
      process.stderr.write(`${auth.process.logTail()}\n`);
    }
    await backend.dispose();
    throw error;
  }
}

async function stopStack(
  services: { auth: RunningService; resource: RunningService; extra: RunningService[] },
  backend: Backend,
) {
  const all = [
    ...services.extra.map((service) => service.process),
    services.resource.process,
    services.auth.process,
  ];
  for (const service of all) await service.stop();
  if (testFailed()) {
    process.stderr.write(`\n${all.map((service) => service.logTail()).join('\n')}\n`);
  }
  await backend.dispose();
}
