import { KeycardError } from '@keycard/common';
import type { INestApplicationContext } from '@nestjs/common';
import type { KeyListing } from './key-views';
import { KeysService } from './keys.service';

/** The command-line commands `runKeysCommand` understands. */
export const KEYS_COMMANDS = ['rotate-keys', 'list-keys'] as const;

export interface CliOutput {
  out: Pick<NodeJS.WriteStream, 'write'>;
  err: Pick<NodeJS.WriteStream, 'write'>;
}

const USAGE = 'usage: rotate-keys [--force] | list-keys';

function describe(key: KeyListing): string {
  const until = key.verifyUntil ? ` verifies until ${key.verifyUntil}` : '';
  const revoked = key.revokedAt ? ` revoked ${key.revokedAt}` : '';
  return `${key.kid} ${key.status} created ${key.createdAt}${until}${revoked}`;
}

async function rotate(keys: KeysService, flags: string[], io: CliOutput): Promise<number> {
  if (flags.some((flag) => flag !== '--force')) {
    io.err.write(`${USAGE}\n`);
    return 2;
  }
  const result = await keys.rotate({ force: flags.includes('--force') });
  io.out.write(
    `Rotated signing keys: active ${result.active.kid}, next ${result.next.kid}, ` +
      `retiring ${result.retiring.kid} (verifies until ${result.retiring.verifyUntil})\n`,
  );
  return 0;
}

async function list(keys: KeysService, flags: string[], io: CliOutput): Promise<number> {
  if (flags.length > 0) {
    io.err.write(`${USAGE}\n`);
    return 2;
  }
  io.out.write((await keys.list()).map((key) => `${describe(key)}\n`).join(''));
  return 0;
}

/**
 * Runs `rotate-keys [--force]` or `list-keys` (`argv` is what follows the script path,
 * `process.argv.slice(2)`). Prints one short result (kids and dates, never key material) and
 * returns the exit code: 0 done, 1 refused or failed, 2 usage error.
 */
export async function runKeysCommand(
  app: INestApplicationContext,
  argv: string[],
  io: CliOutput = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const [command, ...flags] = argv;
  const keys = app.get(KeysService);
  try {
    if (command === 'rotate-keys') return await rotate(keys, flags, io);
    if (command === 'list-keys') return await list(keys, flags, io);
    io.err.write(`${USAGE}\n`);
    return 2;
  } catch (error) {
    const message =
      error instanceof KeycardError ? String(error.publicMessage) : 'unexpected error';
    io.err.write(`${command} failed: ${message}\n`);
    if (!(error instanceof KeycardError)) throw error;
    return 1;
  }
}
