import type { INestApplicationContext } from '@nestjs/common';
import { KeycardError } from '@keycard/common';
import {
  CREATE_CLIENT_USAGE,
  createClientCommand,
  parseCreateClient,
} from '../clients/clients.cli';
import { KEYS_COMMANDS, runKeysCommand } from '../keys/keys.cli';
import { ADMIN_COMMANDS, runAdminCommand } from '../users/admin.cli';

/** Where commands write; the process streams unless a test passes its own. */
export interface CommandOutput {
  out: Pick<NodeJS.WriteStream, 'write'>;
  err: Pick<NodeJS.WriteStream, 'write'>;
}

export const USAGE = [
  'usage: main.js <command>',
  CREATE_CLIENT_USAGE,
  '  rotate-keys [--force]                             rotate the signing keys',
  '  list-keys                                         list the signing keys',
  '  promote-admin <email>                             make an existing user an enabled admin',
].join('\n');

async function createClient(
  app: INestApplicationContext,
  args: string[],
  io: CommandOutput,
): Promise<number> {
  const parsed = parseCreateClient(args);
  if (parsed === undefined) {
    io.err.write(`${USAGE}\n`);
    return 2;
  }
  io.out.write(await createClientCommand(app, parsed));
  return 0;
}

/**
 * Runs one command-line command (`argv` = `process.argv.slice(2)`) against an application context
 * and returns the exit code: 0 done, 1 refused or failed, 2 usage error. Key commands are handled
 * by `runKeysCommand`, `promote-admin` by `runAdminCommand`. A failure prints its public message
 * only, never a secret.
 */
export async function runCommand(
  app: INestApplicationContext,
  argv: string[],
  io: CommandOutput = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const [command, ...args] = argv;
  if ((KEYS_COMMANDS as readonly string[]).includes(command)) return runKeysCommand(app, argv, io);
  if ((ADMIN_COMMANDS as readonly string[]).includes(command))
    return runAdminCommand(app, argv, io);
  if (command !== 'create-client') {
    io.err.write(`${USAGE}\n`);
    return 2;
  }
  try {
    return await createClient(app, args, io);
  } catch (error) {
    if (!(error instanceof KeycardError)) throw error;
    io.err.write(`create-client failed: ${String(error.publicMessage)}\n`);
    return 1;
  }
}
