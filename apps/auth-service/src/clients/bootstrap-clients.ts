import { ConfigError } from '@keycard/common';
import { CLIENT_ID_PATTERN, isValidScope, MAX_SCOPES, uniqueScopes } from './client-format';

const VARIABLE = 'BOOTSTRAP_CLIENTS';
/** Operator-chosen secrets: visible ASCII without the list's separators, long enough not to be guessed. */
const SECRET_PATTERN = /^[\x21-\x2B\x2D-\x39\x3B-\x7E]+$/;
export const BOOTSTRAP_SECRET_MIN_LENGTH = 16;
const SECRET_MAX_LENGTH = 256;

/** One `id:secret[:scope scope…]` entry of `BOOTSTRAP_CLIENTS`. */
export interface BootstrapClient {
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

function fail(position: number, problem: string): never {
  // Names the entry by position only: the entry holds a secret, which must never reach a log.
  throw new ConfigError(
    VARIABLE,
    `entry ${position} ${problem} (expected id:secret[:scope scope…])`,
  );
}

function parseEntry(entry: string, position: number): BootstrapClient {
  const first = entry.indexOf(':');
  if (first < 0) fail(position, 'has no secret');
  const second = entry.indexOf(':', first + 1);
  const clientId = entry.slice(0, first);
  const clientSecret = second < 0 ? entry.slice(first + 1) : entry.slice(first + 1, second);
  // Scopes may contain ':' themselves (`documents:read`), so everything after the second ':' is the scope list.
  const scopeText = second < 0 ? '' : entry.slice(second + 1);
  if (!CLIENT_ID_PATTERN.test(clientId)) {
    fail(position, 'has an invalid client id (1-128 of A-Z a-z 0-9 . _ ~ -)');
  }
  if (
    clientSecret.length < BOOTSTRAP_SECRET_MIN_LENGTH ||
    clientSecret.length > SECRET_MAX_LENGTH
  ) {
    fail(
      position,
      `(${clientId}) needs a secret of ${BOOTSTRAP_SECRET_MIN_LENGTH} to ${SECRET_MAX_LENGTH} characters`,
    );
  }
  if (!SECRET_PATTERN.test(clientSecret)) {
    fail(
      position,
      `(${clientId}) has a secret with spaces or other characters that are not allowed`,
    );
  }
  const scopes = uniqueScopes(scopeText.split(' ').filter(Boolean));
  if (scopes.length > MAX_SCOPES)
    fail(position, `(${clientId}) has more than ${MAX_SCOPES} scopes`);
  const badScope = scopes.find((scope) => !isValidScope(scope));
  if (badScope !== undefined) fail(position, `(${clientId}) has an invalid scope "${badScope}"`);
  return { clientId, clientSecret, scopes };
}

/**
 * Parses `BOOTSTRAP_CLIENTS` (`id:secret[:scope scope…]`, comma-separated; blank entries are
 * ignored) and validates every entry before anything is written, so a typo stops start-up with
 * one line naming the variable.
 */
export function parseBootstrapClients(raw: string): BootstrapClient[] {
  const clients = raw
    .split(',')
    .map((entry) => entry.trim())
    .map((entry, index) => (entry === '' ? undefined : parseEntry(entry, index + 1)))
    .filter((client): client is BootstrapClient => client !== undefined);
  const seen = new Set<string>();
  for (const client of clients) {
    if (seen.has(client.clientId))
      throw new ConfigError(VARIABLE, `lists the client id ${client.clientId} twice`);
    seen.add(client.clientId);
  }
  return clients;
}
