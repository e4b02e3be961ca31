import type { INestApplicationContext } from '@nestjs/common';
import { KeycardError } from '@keycard/common';
import type { Promotion } from './admin-promotion.service';
import { AdminPromotionService } from './admin-promotion.service';

/** The command-line commands `runAdminCommand` understands. */
export const ADMIN_COMMANDS = ['promote-admin'] as const;

export interface CliOutput {
  out: Pick<NodeJS.WriteStream, 'write'>;
  err: Pick<NodeJS.WriteStream, 'write'>;
}

const USAGE = 'usage: promote-admin <email>';

function describe(promotion: Promotion): string {
  const who = `${promotion.email} (user ${promotion.userId})`;
  if (!promotion.changed) return `${who} already is an enabled admin`;
  return promotion.reenabled
    ? `${who} is now an admin; the account was disabled and is enabled again`
    : `${who} is now an admin`;
}

/**
 * Runs `promote-admin <email>` (`argv` is what follows the script path): the way back when no
 * admin is left. Prints one line, the answer, and returns the exit code: 0 done, 1 refused (an
 * unknown e-mail), 2 usage error.
 */
export async function runAdminCommand(
  app: INestApplicationContext,
  argv: string[],
  io: CliOutput = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const [command, ...args] = argv;
  if (command !== 'promote-admin' || args.length !== 1 || args[0].startsWith('-')) {
    io.err.write(`${USAGE}\n`);
    return 2;
  }
  try {
    const promotion = await app.get(AdminPromotionService).promote(args[0]);
    io.out.write(`${describe(promotion)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof KeycardError)) throw error;
    io.err.write(`${command} failed: ${String(error.publicMessage)}\n`);
    return 1;
  }
}
