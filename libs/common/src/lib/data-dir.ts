import { Logger } from '@nestjs/common';
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** `DATA_DIR` and what it holds (password hashes, private keys, development secrets): owner only. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Where the warnings go (a Nest logger by default). */
export type PermissionWarning = (message: string) => void;

const logger = new Logger('DataDir');
const warnInLog: PermissionWarning = (message) => logger.warn(message);

const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;

function permissionsOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Takes every permission of group and others away from `path` (the owner's stay as they are),
 * with a warning naming it, when it has any. Returns false when `path` does not exist.
 */
export function tightenPermissions(path: string, warn: PermissionWarning = warnInLog): boolean {
  const mode = permissionsOf(path);
  if (mode === undefined) return false;
  if ((mode & 0o077) !== 0) {
    const tightened = mode & 0o700;
    chmodSync(path, tightened);
    warn(`${path} was open to other users (mode ${octal(mode)}): changed to ${octal(tightened)}`);
  }
  return true;
}

/** Creates `dir` (and missing parents) 0700, or tightens it when it exists. */
export function ensurePrivateDir(dir: string, warn: PermissionWarning = warnInLog): void {
  if (!tightenPermissions(dir, warn)) mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * The SQLite file `dataDir/file`, owner only: the folder 0700, the file created 0600 before SQLite
 * opens it (SQLite gives its `-wal` and `-shm` files the database file's mode; it would make the
 * file 0644), and an existing file, `-wal` or `-shm` open to others tightened with a warning.
 * Returns the file's path.
 */
export function preparePrivateSqliteFile(
  dataDir: string,
  file: string,
  warn: PermissionWarning = warnInLog,
): string {
  ensurePrivateDir(dataDir, warn);
  const path = join(dataDir, file);
  for (const companion of [`${path}-wal`, `${path}-shm`]) tightenPermissions(companion, warn);
  if (!tightenPermissions(path, warn)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  return path;
}
