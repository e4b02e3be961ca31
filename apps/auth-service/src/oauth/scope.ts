import { ErrorCode, KeycardError } from '@keycard/common';
import { isValidScope, uniqueScopes } from '../clients/client-format';

export function invalidScope(message: string): KeycardError {
  return new KeycardError(ErrorCode.OAuthInvalidScope, { message });
}

/** The scopes of a `scope` parameter (space-separated, RFC 6749 §3.3); undefined when absent or blank. */
export function parseScopeParam(value: string | undefined): string[] | undefined {
  const scopes = uniqueScopes((value ?? '').split(' ').filter(Boolean));
  if (scopes.length === 0) return undefined;
  if (!scopes.every(isValidScope)) throw invalidScope('The scope parameter is malformed');
  return scopes;
}

/** Splits a stored space-separated scope string. */
export function scopeList(scope: string): string[] {
  return scope.split(' ').filter(Boolean);
}

/**
 * What a client-credentials grant gets: the requested scopes when every one is allowed to the
 * client, all of the client's scopes when none was asked for, `invalid_scope` otherwise.
 */
export function grantableScopes(
  requested: string[] | undefined,
  allowed: readonly string[],
): string[] {
  if (requested === undefined) return [...allowed];
  const refused = requested.filter((scope) => !allowed.includes(scope));
  if (refused.length > 0) throw invalidScope('The requested scope is not allowed for this client');
  return requested;
}
