import { ConfigError, ensurePrivateDir, randomToken, tightenPermissions } from '@keycard/common';
import type { LoggerService } from '@nestjs/common';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthSettings } from '../config/auth.config';
import { KeyCipher } from './key-cipher';

/** Name of the development secret under `DATA_DIR`, used only when `KEYS_ENCRYPTION_SECRET` is unset. */
export const DEV_SECRET_FILE = 'keys-encryption.secret';

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

async function readSecretFile(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/**
 * Creates the file atomically (write a private temporary file, then hard-link it into place), so
 * two instances starting at once on one `DATA_DIR` end up with the same secret, never a half-written one.
 */
async function createSecretFile(dir: string, path: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = join(dir, `.${DEV_SECRET_FILE}.${process.pid}.${randomToken(6)}`);
  await writeFile(temporary, `${randomToken(32)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
  } catch (error) {
    if (!hasCode(error, 'EEXIST')) throw error;
  } finally {
    await unlink(temporary);
  }
}

/** Reads `DATA_DIR/keys-encryption.secret`, generating 32 random bytes into it (mode 0600) on first use. */
export async function loadDevelopmentSecret(
  dataDir: string,
): Promise<{ secret: string; path: string }> {
  const path = join(dataDir, DEV_SECRET_FILE);
  let secret = await readSecretFile(path);
  if (secret === undefined) {
    await createSecretFile(dataDir, path);
    secret = await readSecretFile(path);
  }
  if (secret === undefined || secret.length < 32) {
    throw new ConfigError(
      'KEYS_ENCRYPTION_SECRET',
      `is not set and the development secret ${path} is damaged`,
    );
  }
  return { secret, path };
}

/** The cipher for private keys: from `KEYS_ENCRYPTION_SECRET`, or a development secret with a warning. */
export async function createKeyCipher(
  config: Pick<AuthSettings, 'keysEncryptionSecret' | 'dataDir'>,
  logger: Pick<LoggerService, 'warn'>,
): Promise<KeyCipher> {
  if (config.keysEncryptionSecret) {
    return KeyCipher.fromSecret(config.keysEncryptionSecret, 'KEYS_ENCRYPTION_SECRET');
  }
  // Owner only, like the databases beside it; one made before this rule is tightened, with a warning.
  const warn = (message: string) => logger.warn(message);
  ensurePrivateDir(config.dataDir, warn);
  const { secret, path } = await loadDevelopmentSecret(config.dataDir);
  tightenPermissions(path, warn);
  logger.warn(
    `WARNING: KEYS_ENCRYPTION_SECRET is not set; signing keys are encrypted with a development secret ` +
      `kept in ${path}. Production must set KEYS_ENCRYPTION_SECRET.`,
  );
  return KeyCipher.fromSecret(secret, `the development secret in ${path}`);
}
