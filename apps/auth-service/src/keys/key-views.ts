import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import type { PublishedJwk } from './key-material';
import { publishedJwk } from './key-material';
import type { SigningKeyEntity, SigningKeyStatus } from './signing-key.entity';

/** What `GET /admin/keys` shows of a key: never key material. Times are ISO 8601 strings. */
export interface KeyListing {
  kid: string;
  status: SigningKeyStatus;
  createdAt: string;
  publishedAt: string;
  activatedAt: string | null;
  retiredAt: string | null;
  verifyUntil: string | null;
  revokedAt: string | null;
}

/** A key tokens may be verified with, as held in the in-memory snapshot. */
export interface VerifiableKey {
  kid: string;
  status: SigningKeyStatus;
  jwk: PublishedJwk;
  publicKey: KeyObject;
  verifyUntil: number | null;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function toListing(row: SigningKeyEntity): KeyListing {
  return {
    kid: row.kid,
    status: row.status,
    createdAt: new Date(row.createdAt).toISOString(),
    publishedAt: new Date(row.publishedAt).toISOString(),
    activatedAt: iso(row.activatedAt),
    retiredAt: iso(row.retiredAt),
    verifyUntil: iso(row.verifyUntil),
    revokedAt: iso(row.revokedAt),
  };
}

export function toVerifiable(row: SigningKeyEntity): VerifiableKey {
  const jwk = publishedJwk(row.kid, row.publicJwk);
  return {
    kid: row.kid,
    status: row.status,
    jwk,
    publicKey: createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' }),
    verifyUntil: row.verifyUntil,
  };
}

/** Next and active keys verify; a retiring key only until its `verifyUntil`; a revoked key never. */
export function verifiesAt(key: VerifiableKey, now: number): boolean {
  switch (key.status) {
    case 'next':
    case 'active':
      return true;
    case 'retiring':
      return key.verifyUntil !== null && key.verifyUntil > now;
    case 'revoked':
      return false;
  }
}

const JWKS_ORDER: Record<SigningKeyStatus, number> = {
  active: 0,
  next: 1,
  retiring: 2,
  revoked: 3,
};

/** Active key first, then next, then retiring keys. */
export function byJwksOrder(a: VerifiableKey, b: VerifiableKey): number {
  return JWKS_ORDER[a.status] - JWKS_ORDER[b.status];
}
