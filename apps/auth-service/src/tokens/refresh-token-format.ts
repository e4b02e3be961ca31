import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { randomToken, sha256Hex } from '@keycard/common';

const PREFIX = 'rt_';
/**
 * A refresh token names its row: `rt_`, the row's id (a UUID's 16 bytes, 22 base64url characters),
 * then 32 random bytes (256 bits, 43 characters). The row is found by its primary key and the
 * token's SHA-256 compared with the stored one, so no index of token hashes is written on every
 * rotation (an insert on a random page of a large index).
 */
const TOKEN_PATTERN = /^rt_([A-Za-z0-9_-]{22})[A-Za-z0-9_-]{43}$/;
/** The form before tokens named their rows (random bytes only), accepted until such tokens expire. */
const HASH_ONLY_PATTERN = /^rt_[A-Za-z0-9_-]{43}$/;

/** How a presented token is looked up: its row's id and its digest, or (older form) its hash. */
export type RefreshTokenKey = { id: string; digest: string } | { hash: string };

/** A new refresh token for the row `id` (a UUID). */
export function newRefreshToken(id: string): string {
  const named = Buffer.from(id.replaceAll('-', ''), 'hex').toString('base64url');
  return `${PREFIX}${named}${randomToken(32)}`;
}

/** The SHA-256 stored for a token (either form): only this is kept, never the token. */
export function hashRefreshToken(token: string): string {
  return sha256Hex(token);
}

/**
 * How to find `value`, or undefined when it is not shaped like a refresh token (garbage never
 * reaches the database). The digest covers the whole token, so another spelling of the same id
 * matches nothing.
 */
export function refreshTokenKey(value: string): RefreshTokenKey | undefined {
  const named = TOKEN_PATTERN.exec(value);
  if (named) {
    const hex = Buffer.from(named[1], 'base64url').toString('hex');
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    return { id, digest: hashRefreshToken(value) };
  }
  return HASH_ONLY_PATTERN.test(value) ? { hash: hashRefreshToken(value) } : undefined;
}

function sealingKey(holderToken: string): Buffer {
  return createHash('sha256').update(`keycard:refresh-successor:${holderToken}`).digest();
}

/** Encrypts `successor` so that only the holder of `holderToken` can read it back. */
export function sealSuccessor(holderToken: string, successor: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(holderToken), iv);
  const body = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The successor sealed for `holderToken`, or undefined when it does not open. */
export function openSuccessor(holderToken: string, sealed: string): string | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(holderToken), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
