import { createHash, randomInt } from 'node:crypto';

/** How many codes a set has. */
export const RECOVERY_CODE_COUNT = 10;
/** Crockford-style base32 without look-alikes (no 0/O, 1/I/L, U). */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 10 characters of a 30-letter alphabet: about 49 bits each, far beyond five guesses in 15 minutes. */
const LENGTH = 10;

/** A new set of codes, `XXXXX-XXXXX`, shown to the user once. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]);
    return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
  });
}

/** Case, spaces and dashes do not matter when a code is typed back. */
export function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]+/g, '');
}

/** Whether `code` could be a recovery code at all (checked before any lookup). */
export function looksLikeRecoveryCode(code: string): boolean {
  const normalized = normalizeRecoveryCode(code);
  return normalized.length === LENGTH && [...normalized].every((c) => ALPHABET.includes(c));
}

/**
 * The stored form: SHA-256 of the user id and the normalized code. The codes are random and long,
 * so a slow password hash would add cost and nothing else (and sign-in stays one argon2 hash);
 * the user id keeps equal codes of two users apart.
 */
export function hashRecoveryCode(userId: string, code: string): string {
  return createHash('sha256')
    .update(`${userId}:${normalizeRecoveryCode(code)}`)
    .digest('hex');
}
