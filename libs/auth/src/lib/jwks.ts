import type { JsonWebKey, KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';

/** Smallest RSA modulus accepted from a JWKS. */
export const MIN_RSA_MODULUS_BITS = 2048;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The usable signing keys of a JWKS document: RSA, with a `kid`, `use` absent or `sig`, `alg`
 * absent or RS256, no private part, modulus of at least 2048 bits. Other keys are skipped; a
 * document that is not `{keys: [...]}` throws, so that a broken answer never empties the cache.
 */
export function publicKeysFromJwks(document: unknown): Map<string, KeyObject> {
  if (!isRecord(document) || !Array.isArray(document['keys']))
    throw new Error('JWKS has no keys array');
  const keys = new Map<string, KeyObject>();
  for (const jwk of document['keys']) {
    const entry = toPublicKey(jwk);
    if (entry && !keys.has(entry[0])) keys.set(entry[0], entry[1]);
  }
  return keys;
}

function toPublicKey(jwk: unknown): [string, KeyObject] | undefined {
  if (!isRecord(jwk)) return undefined;
  const { kty, kid, use, alg } = jwk;
  if (kty !== 'RSA' || typeof kid !== 'string' || kid === '') return undefined;
  if ((use !== undefined && use !== 'sig') || (alg !== undefined && alg !== 'RS256'))
    return undefined;
  if ('d' in jwk) return undefined;
  try {
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    return bits >= MIN_RSA_MODULUS_BITS ? [kid, key] : undefined;
  } catch {
    return undefined;
  }
}

/** `max-age` of a Cache-Control header in seconds (0 for no-store/no-cache), if any. */
export function maxAgeSeconds(cacheControl: string | null): number | undefined {
  if (!cacheControl) return undefined;
  if (/(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|$)/i.test(cacheControl)) return 0;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  return match ? Number(match[1]) : undefined;
}

/** Kids that disappeared, or whose key material changed, between two key sets. */
export function removedKids(
  before: Map<string, KeyObject>,
  after: Map<string, KeyObject>,
): string[] {
  const removed: string[] = [];
  for (const [kid, key] of before) {
    const next = after.get(kid);
    if (next === undefined || !next.equals(key)) removed.push(kid);
  }
  return removed;
}
