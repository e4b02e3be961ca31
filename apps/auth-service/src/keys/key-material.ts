import { randomToken } from '@keycard/common';
import { Injectable } from '@nestjs/common';
import { generateKeyPair, KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { PublicRsaJwk } from './signing-key.entity';

const generateRsaKeyPair = promisify(generateKeyPair);

/** A key pair made but not stored yet: generation is slow, so it happens outside any lock. */
export interface GeneratedKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: PublicRsaJwk;
}

/** A public key as the JWKS publishes it (RFC 7517 §4, RFC 7518 §6.3.1): never a private member. */
export interface PublishedJwk extends PublicRsaJwk {
  kid: string;
  use: 'sig';
  alg: 'RS256';
}

/** Copies only the public RSA members, whatever else the source object holds. */
export function publicRsaJwk(source: { n?: unknown; e?: unknown }): PublicRsaJwk {
  if (typeof source.n !== 'string' || typeof source.e !== 'string') {
    throw new Error('not an RSA public key');
  }
  return { kty: 'RSA', n: source.n, e: source.e };
}

export function publishedJwk(kid: string, jwk: PublicRsaJwk): PublishedJwk {
  return { ...publicRsaJwk(jwk), kid, use: 'sig', alg: 'RS256' };
}

/** Makes signing keys; a provider of its own so that specs can hand out pre-made key pairs. */
@Injectable()
export class KeyGenerator {
  /** A fresh RSA-2048 key for RS256 with a random URL-safe kid (the libuv thread pool does the work). */
  async generate(): Promise<GeneratedKey> {
    const { privateKey, publicKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
    return {
      kid: randomToken(16),
      privateKey,
      publicJwk: publicRsaJwk(publicKey.export({ format: 'jwk' })),
    };
  }
}
