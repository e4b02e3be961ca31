import type { KeyObject } from 'node:crypto';
import { createHmac, generateKeyPairSync, randomUUID, sign } from 'node:crypto';

/** base64url of a JSON value or raw bytes. */
export function b64url(value: unknown): string {
  const buffer = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
  return buffer.toString('base64url');
}

export interface TestKeyPair {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public JWK as a JWKS would publish it. */
  jwk: Record<string, unknown>;
}

/** A fresh RSA key pair made at test run time; test keys are never committed. */
export function makeTestKeyPair(kid = 'test-key', modulusLength = 2048): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
  return { kid, privateKey, publicKey, jwk };
}

/** Signs header and payload by hand, so tests can build tokens no real issuer would make. */
export function signRs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject,
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** The signing key of an access token: a `TestKeyPair` or the auth-service's own key. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

/** What an access token says; `iss`, `aud` and `sub` always, any other claim as the test needs. */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  [claim: string]: unknown;
}

/**
 * An access token shaped like the auth-service's (RS256, `typ: at+jwt`, `roles`, `scope`, a fresh
 * `jti`), minted at run time with `key`: `iat` is `now` (milliseconds, default the real time, which
 * the guards check `exp` against) and `exp` is `ttlSeconds` later (default 15 minutes).
 */
export function mintAccessToken(
  key: SigningKey,
  claims: AccessTokenClaims,
  { now = Date.now(), ttlSeconds = 900 }: { now?: number; ttlSeconds?: number } = {},
): string {
  const iat = Math.floor(now / 1000);
  const payload = {
    roles: [],
    scope: '',
    iat,
    exp: iat + ttlSeconds,
    jti: randomUUID(),
    ...claims,
  };
  return signRs256({ alg: 'RS256', typ: 'at+jwt', kid: key.kid }, payload, key.privateKey);
}

/** `Authorization` header value of `mintAccessToken(...)`. */
export function bearer(...args: Parameters<typeof mintAccessToken>): string {
  return `Bearer ${mintAccessToken(...args)}`;
}

/** An HS256 token whose HMAC secret is `secret` (the classic alg-confusion attack uses the public key PEM). */
export function signHs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: string | Buffer,
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** An unsigned `alg: none` token. */
export function unsignedToken(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  return `${b64url({ alg: 'none', typ: 'at+jwt', ...header })}.${b64url(payload)}.`;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The non-canonical spellings of a canonical base64url segment: the same bytes with the spare low
 * bits of its last character set (15 for a 2-character tail, as an RS256-2048 signature has; 3 for a
 * 3-character tail; none when the length is a multiple of 4).
 */
export function respellings(segment: string): string[] {
  const spareBits = [0, 0, 4, 2][segment.length % 4];
  const last = BASE64URL.indexOf(segment.slice(-1));
  const spellings: string[] = [];
  for (let bits = 1; bits < 1 << spareBits; bits++) {
    spellings.push(segment.slice(0, -1) + BASE64URL[last | bits]);
  }
  return spellings;
}
