import type { OAuthParams } from './oauth-params';

/** What a presented token looks like; its prefix decides where it is looked up (hints are only hints). */
export type TokenKind = 'access_token' | 'refresh_token' | 'api_key' | 'unknown';

/** Longer values are not Keycard tokens and are never looked up. */
export const MAX_TOKEN_LENGTH = 8192;

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function tokenKind(token: string): TokenKind {
  if (token.length > MAX_TOKEN_LENGTH) return 'unknown';
  if (token.startsWith('rt_')) return 'refresh_token';
  if (token.startsWith('sk_') || token.startsWith('pk_')) return 'api_key';
  if (JWS_COMPACT.test(token)) return 'access_token';
  return 'unknown';
}

/**
 * The `token` parameter of introspection and revocation. `token_type_hint` is read only so that a
 * repeated one is refused: the token's own prefix decides where it is looked up (RFC 7009 §2.1
 * lets the server search every kind).
 */
export function presentedToken(params: OAuthParams): string {
  params.get('token_type_hint');
  return params.require('token');
}
