import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { randomToken, sha256Hex } from '@keycard/common';

const PREFIX = 'rt_';
/** 32 random bytes = 256 bits, base64url without padding. */
const TOKEN_PATTERN = /^rt_[A-Za-z0-9_-]{43}$/;

export function newRefreshToken(): string {
  return `${PREFIX}${randomToken(32)}`;
}

/** Cheap shape check, so garbage never reaches the database. */
export function isRefreshTokenShaped(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

export function hashRefreshToken(token: string): string {
  return sha256Hex(token);
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
