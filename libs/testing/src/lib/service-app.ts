import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestIssuer, type TestIssuer } from './test-issuer';

/** A resource service's app as its HTTP specs run it, with its stand-in issuer and data folder. */
export interface ServiceAppUnderTest {
  app: NestFastifyApplication;
  issuer: TestIssuer;
  dataDir: string;
  /** Closes the app and the issuer, removes the data folder and restores the environment. */
  close(): Promise<void>;
}

export interface ServiceAppStart {
  /** The settings the spec controls: cleared before the start and restored by `close()`. */
  settings: readonly string[];
  /** Set after `AUTH_ISSUER` (the stand-in issuer) and `DATA_DIR` (a fresh folder). */
  env?: Record<string, string | undefined>;
  /** The audience of the stand-in issuer's tokens (the service's `AUTH_AUDIENCE`). */
  audience?: string;
  /** Runs before `init()`, while global enhancers can still be added. */
  prepare?: (app: NestFastifyApplication) => void;
}

/**
 * Starts a service's real app (`createApp`, as its main.ts builds it) against a stand-in issuer,
 * with exactly `env` among `settings`, ready for `request(app.getHttpServer())`.
 */
export async function startServiceApp(
  createApp: (options: { logger: false }) => Promise<NestFastifyApplication>,
  start: ServiceAppStart,
): Promise<ServiceAppUnderTest> {
  const issuer = await startTestIssuer(
    start.audience === undefined ? {} : { audience: start.audience },
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-service-'));
  const keys = ['AUTH_ISSUER', 'DATA_DIR', ...start.settings];
  const saved = new Map(keys.map((key) => [key, process.env[key]]));
  for (const key of keys) delete process.env[key];
  const env = { AUTH_ISSUER: issuer.url, DATA_DIR: dataDir, ...start.env };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
  const close = async () => {
    await app?.close();
    await issuer.close();
    rmSync(dataDir, { recursive: true, force: true });
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  let app: NestFastifyApplication | undefined;
  try {
    app = await createApp({ logger: false });
    start.prepare?.(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return { app, issuer, dataDir, close };
  } catch (error) {
    await close();
    throw error;
  }
}
