import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** URL-safe random text carrying `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 hex digest: how high-entropy secrets (refresh tokens, API keys, client secrets) are stored. */
export function sha256Hex(value: string): string {
  // The one-shot `hash` (Node ≥ 20.12) is about twice as fast as createHash: this runs per API-key request.
  return hash('sha256', value, 'hex');
}

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}
