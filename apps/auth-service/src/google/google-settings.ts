import type { Env } from '@keycard/common';
import { ConfigError, envDuration, envHttpUrl, envList, envOptional } from '@keycard/common';

/** Google's own endpoints; every one can be overridden so tests run against a local provider. */
export const GOOGLE_DEFAULTS = {
  authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  userInfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
  jwksUrl: 'https://www.googleapis.com/oauth2/v3/certs',
  issuer: 'https://accounts.google.com',
} as const;

/** "Sign in with Google", present only when `GOOGLE_CLIENT_ID` is set. */
export interface GoogleSettings {
  clientId: string;
  clientSecret: string;
  callbackUrl: string;
  authorizationUrl: string;
  tokenUrl: string;
  userInfoUrl: string;
  jwksUrl: string;
  issuer: string;
  /** Absolute `returnTo` targets allowed besides same-origin paths: origins or origin+path prefixes. */
  returnToAllowlist: string[];
  /** Each call to the provider (token, userinfo, JWKS) gives up after this many seconds. */
  httpTimeout: number;
}

function allowlistEntry(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      'GOOGLE_RETURN_TO_ALLOWLIST',
      `has an entry that is not a URL: "${value}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      'GOOGLE_RETURN_TO_ALLOWLIST',
      `entries must be http(s) URLs, got "${value}"`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(
      'GOOGLE_RETURN_TO_ALLOWLIST',
      `entries must be origins or paths, got "${value}"`,
    );
  }
  return url.pathname === '/' ? url.origin : `${url.origin}${url.pathname}`;
}

/**
 * Injection token of the `GoogleSettings`, or null when Google sign-in is off (provided at the
 * root, `app/settings.module.ts`).
 */
export const GOOGLE_SETTINGS = Symbol('GOOGLE_SETTINGS');

/** Parses the `GOOGLE_*` settings; undefined when Google sign-in is off (no client id). */
export function loadGoogleSettings(env: Env, issuer: string): GoogleSettings | undefined {
  const clientId = envOptional(env, 'GOOGLE_CLIENT_ID');
  if (clientId === undefined) return undefined;
  const clientSecret = envOptional(env, 'GOOGLE_CLIENT_SECRET');
  if (clientSecret === undefined) {
    throw new ConfigError('GOOGLE_CLIENT_SECRET', 'is required when GOOGLE_CLIENT_ID is set');
  }
  return {
    clientId,
    clientSecret,
    callbackUrl: envHttpUrl(env, 'GOOGLE_CALLBACK_URL', `${issuer}/auth/google/callback`),
    authorizationUrl: envHttpUrl(env, 'GOOGLE_AUTHORIZATION_URL', GOOGLE_DEFAULTS.authorizationUrl),
    tokenUrl: envHttpUrl(env, 'GOOGLE_TOKEN_URL', GOOGLE_DEFAULTS.tokenUrl),
    userInfoUrl: envHttpUrl(env, 'GOOGLE_USERINFO_URL', GOOGLE_DEFAULTS.userInfoUrl),
    jwksUrl: envHttpUrl(env, 'GOOGLE_JWKS_URL', GOOGLE_DEFAULTS.jwksUrl),
    issuer: envHttpUrl(env, 'GOOGLE_ISSUER', GOOGLE_DEFAULTS.issuer),
    returnToAllowlist: envList(env, 'GOOGLE_RETURN_TO_ALLOWLIST').map(allowlistEntry),
    httpTimeout: envDuration(env, 'GOOGLE_HTTP_TIMEOUT', '5s', 1),
  };
}
