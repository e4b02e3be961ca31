import { createHash, hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/** URL-safe random text carrying `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 hex digest: how high-entropy secrets (refresh tokens, API keys, client secrets) are stored. */
export function sha256Hex(value: string): string {
  // The one-shot `hash` (Node ≥ 20.12) is about twice as fast as createHash: this runs per API-key request.
  return hash('sha256', value, 'hex');
}

const SHA256_HEX_LENGTH = 64;

/**
 * Whether `presented` is the SHA-256 hex digest `stored` (`sha256Hex`), in time independent of
 * where they differ. A digest's length is public (64), so unlike `constantTimeEqual` this needs no
 * hashing of its own: one comparison of 32 bytes (it runs for every client-authenticated grant).
 */
export function sha256HexEqual(presented: string, stored: string): boolean {
  if (presented.length !== SHA256_HEX_LENGTH || stored.length !== SHA256_HEX_LENGTH) return false;
  const left = Buffer.from(presented, 'hex');
  const right = Buffer.from(stored, 'hex');
  // Buffer.from stops at the first character that is not hex: such a digest matches nothing.
  return left.length === 32 && right.length === 32 && timingSafeEqual(left, right);
}

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

/**
 * A UUID version 7 (RFC 9562) for a row created at `at` (epoch ms): its first 48 bits are `at`, so
 * ids written in turn sort in turn and a B-tree's inserts land on its last pages rather than on a
 * random page of a large table (each of which PostgreSQL would log whole after a checkpoint). Its
 * 74 random bits make it unique, not secret: never use it where the id itself is a credential.
 */
export function timeOrderedUuid(at: number): string {
  // randomUUID() draws from Node's entropy cache; its version-4 layout differs from version 7's
  // only in the first 48 bits and the version digit, which are replaced here.
  const random = randomUUID();
  const time = Math.trunc(at).toString(16).padStart(12, '0').slice(-12);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}
