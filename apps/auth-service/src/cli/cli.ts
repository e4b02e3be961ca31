import { INestApplicationContext } from '@nestjs/common';
import { KeycardError } from '@keycard/common';
import { ClientsService } from '../clients/clients.service';
import { KEYS_COMMANDS, runKeysCommand } from '../keys/keys.cli';
import { ADMIN_COMMANDS, runAdminCommand } from '../users/admin.cli';

/** Where commands write; the process streams unless a test passes its own. */
export interface CommandOutput {
  out: Pick<NodeJS.WriteStream, 'write'>;
  err: Pick<NodeJS.WriteStream, 'write'>;
}

export const USAGE = [
  'usage: main.js <command>',
  '  create-client <name> [--scopes "scope scope…"]   register a service client (prints its secret once)',
  '  rotate-keys [--force]                             rotate the signing keys',
  '  list-keys                                         list the signing keys',
  '  promote-admin <email>                             make an existing user an enabled admin',
].join('\n');

interface CreateClientArgs {
  name: string;
  scopes: string[];
}

/** `<name> [--scopes "a b"]` (also `--scopes=a b`); undefined when anything else is there. */
function parseCreateClient(args: string[]): CreateClientArgs | undefined {
  let name: string | undefined;
  let scopes: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--scopes' || arg.startsWith('--scopes=')) {
      const value = arg === '--scopes' ? args[++i] : arg.slice('--scopes='.length);
      if (value === undefined) return undefined;
      scopes = value.split(/\s+/).filter(Boolean);
    } else if (arg.startsWith('--') || name !== undefined) {
      return undefined;
    } else {
      name = arg;
    }
  }
  return name === undefined ? undefined : { name, scopes };
}

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
  const created = await app.get(ClientsService).create(parsed);
  io.out.write(
    `client_id: ${created.clientId}\n` +
      `client_secret: ${created.clientSecret}\n` +
      `scopes: ${created.scopes.join(' ') || '(none)'}\n` +
      'The secret is shown only now: store it in a secret manager.\n',
  );
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
