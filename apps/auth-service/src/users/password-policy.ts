import type * as ZxcvbnCommon from '@zxcvbn-ts/language-common';
import { ErrorCode, KeycardError } from '@keycard/common';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './users.dto';

let commonPasswords: ReadonlySet<string> | undefined;

/**
 * About 49,000 commonly used passwords (zxcvbn-ts's `passwords-common` list, from breach
 * corpora), lowercased: a list check, not a strength score, so a random-looking 8-character
 * password passes and `Password1` does not. Read and decompressed by the first password set, not
 * at start-up, where the list cost time and some megabytes of heap (`npm run bench:start`).
 */
function isCommonPassword(password: string): boolean {
  if (!commonPasswords) {
    // A literal require in a function: webpack keeps the external's load where it is called.
    const { dictionary } = require('@zxcvbn-ts/language-common') as typeof ZxcvbnCommon;
    commonPasswords = new Set(
      (dictionary['passwords-common'] as string[]).map((common) => common.toLowerCase()),
    );
  }
  return commonPasswords.has(password.toLowerCase());
}

/** Why `password` may not be set (a sentence for a log or a start-up error), or undefined. */
export function passwordWeakness(password: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (isCommonPassword(password)) {
    return 'is a commonly used password (it appears in lists of breached passwords)';
  }
  return undefined;
}

/**
 * The password policy of every path that sets a password (register, reset, change, bootstrap):
 * 400 `weak_password` unless it is 8–128 characters and not a commonly used password.
 */
export function assertAcceptablePassword(password: string): void {
  const weakness = passwordWeakness(password);
  if (weakness) {
    throw new KeycardError(ErrorCode.WeakPassword, { reason: `new password ${weakness}` });
  }
}
