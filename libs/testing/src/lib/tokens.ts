import { createHmac, generateKeyPairSync, KeyObject, sign } from 'node:crypto';

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
