import { invalidToken } from '@keycard/common';
import type { VerifyOptions } from 'jsonwebtoken';
import type { KeyObject } from 'node:crypto';
import type { KeyResolver, ResolvedKeycardAuthOptions } from './options';
import type { Principal } from './principal';

/*
 * The access-token rules as small pure functions, used by AccessTokenVerifier (which the guard
 * calls for every bearer token not yet cached). Each one throws
 * `invalidToken(reason)` (401, code invalid_token) on the first broken rule.
 */

/** RFC 6750 b64token. */
const TOKEN_CHARS = /^[A-Za-z0-9\-._~+/]+=*$/;
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);
/** Headers that would let the token choose its own key or add rules we do not implement. */
const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit'] as const;

/**
 * The credential of an `Authorization: Bearer …` header (scheme case-insensitive), trimmed but not
 * yet checked (see `isWellFormedToken`): `undefined` when the header is absent or uses another
 * scheme. Kept to a prefix compare and a slice, since it runs on every request.
 */
export function bearerToken(authorization: string | string[] | undefined): string | undefined {
  if (typeof authorization !== 'string' || authorization.length < 6) return undefined;
  if (!authorization.startsWith('Bearer') && authorization.slice(0, 6).toLowerCase() !== 'bearer')
    return undefined;
  if (authorization.length === 6) return '';
  const separator = authorization.charCodeAt(6);
  if (separator !== 32 && separator !== 9) return undefined;
  return authorization.slice(7).trim();
}

/** A bearer credential made only of b64token characters (so `Bearer a b` or `Bearer` alone are refused). */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_CHARS.test(token);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The decoded (unverified) JOSE header of a compact JWS. */
export function decodeJwtHeader(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1]) throw invalidToken('not a compact JWS');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch {
    throw invalidToken('header is not JSON');
  }
  if (!isRecord(header)) throw invalidToken('header is not an object');
  return header;
}

/**
 * Checks the header before any key lookup (RFC 9068 / RFC 8725): RS256 only, `typ` at+jwt, no
 * embedded or remote key material, no `crit`, a `kid`. Returns the `kid`.
 */
export function checkAccessTokenHeader(header: Record<string, unknown>): string {
  if (header['alg'] !== 'RS256') throw invalidToken(`alg ${String(header['alg'])} is not allowed`);
  const typ = header['typ'];
  if (typeof typ !== 'string' || !ACCESS_TOKEN_TYPES.has(typ.toLowerCase())) {
    throw invalidToken('typ is not at+jwt');
  }
  for (const name of FORBIDDEN_HEADERS) {
    if (name in header) throw invalidToken(`header ${name} is not allowed`);
  }
  const kid = header['kid'];
  if (typeof kid !== 'string' || kid === '') throw invalidToken('kid is missing');
  return kid;
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The 6-bit value of each base64url character by char code, -1 for any other character. */
const BASE64URL_VALUES = Int8Array.from({ length: 128 }, (_, code) =>
  BASE64URL_ALPHABET.indexOf(String.fromCharCode(code)),
);

/**
 * Whether `segment` is the one base64url spelling of its bytes (RFC 7515 §2): only `A-Z a-z 0-9
 * - _`, no padding, no impossible length, and the spare low bits of a 2- or 3-character tail at 0.
 * Decoders ignore those bits, so without this check an RS256 signature (4 spare bits) verifies in
 * 16 spellings, each a separate cache entry, RSA check and deny-list miss.
 */
export function isCanonicalBase64url(segment: string): boolean {
  const tail = segment.length % 4;
  if (tail === 1) return false;
  let value = 0;
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    value = code < 128 ? BASE64URL_VALUES[code] : -1;
    if (value < 0) return false;
  }
  if (tail === 2) return (value & 0x0f) === 0;
  if (tail === 3) return (value & 0x03) === 0;
  return true;
}

/** Refuses a compact JWS any of whose three segments is not canonical base64url. */
export function checkCanonicalSegments(token: string): void {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every(isCanonicalBase64url))
    throw invalidToken('non-canonical base64url');
}

/** Decodes and checks the header of a raw token; returns its `kid`. */
export function accessTokenKid(token: string): string {
  return checkAccessTokenHeader(decodeJwtHeader(token));
}

/**
 * Checks the header and the spelling of a raw token, then finds its key; an unknown or
 * unreachable key is a 401. Runs before every signature check and so before a token can enter
 * the verified-token cache, whose look-ups compare whole strings: a respelled twin of a cached
 * token misses the cache and is refused here.
 */
export async function verificationKey(keys: KeyResolver, token: string): Promise<KeyObject> {
  const kid = accessTokenKid(token);
  checkCanonicalSegments(token);
  let key: KeyObject | undefined;
  try {
    key = await keys.getKey(kid);
  } catch {
    key = undefined;
  }
  if (key === undefined) throw invalidToken(`unknown kid ${kid}`);
  return key;
}

export interface AccessTokenVerifyOptions extends VerifyOptions {
  algorithms: ['RS256'];
  issuer: string;
  audience: string;
  clockTolerance: number;
}

/** jsonwebtoken options: one algorithm, issuer, audience, bounded leeway; `exp`/`nbf` enforced. */
export function jwtVerifyOptions(options: ResolvedKeycardAuthOptions): AccessTokenVerifyOptions {
  return {
    algorithms: ['RS256'],
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds,
    ignoreExpiration: false,
    ignoreNotBefore: false,
  };
}

function optionalString(payload: Record<string, unknown>, name: string): string | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidToken(`${name} is not a string`);
  return value;
}

function stringArray(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalidToken(`${name} is not an array of strings`);
  }
  return value as string[];
}

/** Maps verified access-token claims to the principal; refuses claims of the wrong shape. */
export function principalFromClaims(payload: unknown): Principal {
  if (!isRecord(payload)) throw invalidToken('payload is not an object');
  const sub = payload['sub'];
  if (typeof sub !== 'string' || sub === '') throw invalidToken('sub is missing');
  const exp = payload['exp'];
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw invalidToken('exp is missing');
  const scope = optionalString(payload, 'scope') ?? '';
  const clientId = optionalString(payload, 'client_id');
  return {
    sub,
    authType: 'jwt',
    roles: [...stringArray(payload['roles'], 'roles')],
    scopes: scope.split(' ').filter(Boolean),
    scopeRestricted: clientId !== undefined && clientId === sub,
    clientId,
    sessionId: optionalString(payload, 'sid'),
    tokenId: optionalString(payload, 'jti'),
    expiresAt: exp * 1000,
    ...issuedAtOf(payload),
    ...signInOf(payload),
  };
}

/** `amr` and `auth_time` (epoch ms) when the token has them; a malformed `amr` is refused. */
function signInOf(payload: Record<string, unknown>): { amr?: string[]; authTime?: number } {
  const authTime = payload['auth_time'];
  return {
    ...(payload['amr'] !== undefined ? { amr: [...stringArray(payload['amr'], 'amr')] } : {}),
    ...(typeof authTime === 'number' && Number.isFinite(authTime)
      ? { authTime: authTime * 1000 }
      : {}),
  };
}

/** `iat` in epoch ms when the token has a numeric one (jsonwebtoken has checked its type). */
function issuedAtOf(payload: Record<string, unknown>): { issuedAt?: number } {
  const iat = payload['iat'];
  return typeof iat === 'number' && Number.isFinite(iat) ? { issuedAt: iat * 1000 } : {};
}
