import { ErrorCode, KeycardError } from '@keycard/common';

/** `service`: client credentials only; `web`: confidential app; `spa`, `native`: public apps. */
export const CLIENT_TYPES = ['service', 'web', 'spa', 'native'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

/** Public clients hold no secret (`token_endpoint_auth_method=none`). */
export function isPublicClientType(type: ClientType): boolean {
  return type === 'spa' || type === 'native';
}

/** Clients that hold a secret: only they may authenticate with one. */
export function hasSecret(type: ClientType): boolean {
  return type === 'service' || type === 'web';
}

/** The app fields of a registration (API.md section 5). */
export interface AppRegistration {
  type: ClientType;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  firstParty: boolean;
  backchannelLogoutUri: string | null;
}

export const MAX_REDIRECT_URIS = 20;
export const REDIRECT_URI_MAX_LENGTH = 2048;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function invalid(message: string): KeycardError {
  return new KeycardError(ErrorCode.ValidationFailed, { message });
}

function parseAbsolute(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/**
 * Why `value` cannot be registered as a redirect (or logout) URI, or null when it can: an absolute
 * URL as written (the WHATWG serialisation must not change it, so the exact-string comparison
 * later compares what a client really sends), no fragment, no credentials, `https` — or `http` on
 * a loopback host only (RFC 8252 §7.3, RFC 9700 §2.1).
 */
export function redirectUriProblem(value: unknown): string | null {
  if (typeof value !== 'string' || value === '' || value.length > REDIRECT_URI_MAX_LENGTH) {
    return `must be a URL of at most ${REDIRECT_URI_MAX_LENGTH} characters`;
  }
  const url = parseAbsolute(value);
  if (url === null) return 'must be an absolute URL';
  if (value.includes('#')) return 'must not contain a fragment';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    return 'must use https (http only for localhost, 127.0.0.1 or [::1])';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https';
  if (url.href !== value && url.href !== `${value}/`) return 'must be written in normal form';
  return null;
}

function checkUris(field: string, values: unknown): string[] {
  if (!Array.isArray(values) || values.length > MAX_REDIRECT_URIS) {
    throw invalid(`${field} must be a list of at most ${MAX_REDIRECT_URIS} URLs`);
  }
  for (const value of values) {
    const problem = redirectUriProblem(value);
    if (problem !== null) throw invalid(`each of ${field} ${problem}`);
  }
  return [...new Set(values as string[])];
}

/**
 * Checks a whole registration (after a PATCH has been applied to the stored one). A service has no
 * browser URIs; an app needs at least one redirect URI.
 */
export function checkRegistration(input: AppRegistration): AppRegistration {
  if (!(CLIENT_TYPES as readonly string[]).includes(input.type)) {
    throw invalid(`type must be one of ${CLIENT_TYPES.join(', ')}`);
  }
  const redirectUris = checkUris('redirectUris', input.redirectUris);
  const postLogoutRedirectUris = checkUris('postLogoutRedirectUris', input.postLogoutRedirectUris);
  const backchannel = input.backchannelLogoutUri;
  if (backchannel !== null) {
    const problem = redirectUriProblem(backchannel);
    if (problem !== null) throw invalid(`backchannelLogoutUri ${problem}`);
  }
  if (input.type === 'service') {
    if (redirectUris.length > 0 || postLogoutRedirectUris.length > 0 || backchannel !== null) {
      throw invalid('a service client has no redirect, logout or back-channel URIs');
    }
  } else if (redirectUris.length === 0) {
    throw invalid('an app client needs at least one redirect URI');
  }
  return { ...input, redirectUris, postLogoutRedirectUris, backchannelLogoutUri: backchannel };
}

/**
 * Whether `presented` is one of the client's redirect URIs: an exact string match, except that a
 * `native` client's loopback URI matches on any port (RFC 8252 §7.3) — scheme, host, path and
 * query must still be exactly the registered ones.
 */
export function matchesRedirectUri(
  client: Pick<AppRegistration, 'type' | 'redirectUris'>,
  presented: string,
): boolean {
  if (client.redirectUris.includes(presented)) return true;
  if (client.type !== 'native') return false;
  const url = parseAbsolute(presented);
  if (url === null || url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return false;
  if (url.href !== presented && url.href !== `${presented}/`) return false;
  return client.redirectUris.some((registered) => sameButPort(registered, url));
}

function sameButPort(registered: string, presented: URL): boolean {
  const url = parseAbsolute(registered);
  if (url === null || url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) return false;
  url.port = presented.port;
  return url.href === presented.href;
}

/** The origins of a client's redirect URIs (CORS for `spa` clients). */
export function redirectOrigins(redirectUris: readonly string[]): string[] {
  return [...new Set(redirectUris.map((uri) => new URL(uri).origin))];
}
