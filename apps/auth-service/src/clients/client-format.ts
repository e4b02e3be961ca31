import { randomToken } from '@keycard/common';

/** Client ids: URL-safe unreserved characters, so they need no escaping anywhere (≤ 128, the column size). */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;
export const CLIENT_NAME_MAX_LENGTH = 100;
/** A scope-token of RFC 6749 §3.3 (printable ASCII except space, `"` and `\`), bounded. */
export const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/;
export const MAX_SCOPES = 50;

/** `svc_` + 16 random bytes: unguessable, so ids can be listed in logs without helping an attacker. */
export function newClientId(): string {
  return `svc_${randomToken(16)}`;
}

/** `cs_` + 32 random bytes (256 bits); shown once, stored as its SHA-256 only. */
export function newClientSecret(): string {
  return `cs_${randomToken(32)}`;
}

export function isValidScope(scope: string): boolean {
  return SCOPE_PATTERN.test(scope);
}

/** The distinct scopes of a list, in first-seen order (a set stored as JSON). */
export function uniqueScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes)];
}
