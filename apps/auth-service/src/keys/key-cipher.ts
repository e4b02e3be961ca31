import { ConfigError } from '@keycard/common';
import type { KeyObject } from 'node:crypto';
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  randomBytes,
  scrypt,
} from 'node:crypto';

const FORMAT = 'v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/**
 * Fixed salt: the stored keys must be readable by every instance sharing the secret, and the
 * secret is already required to be long (≥ 32 characters). scrypt rather than plain HKDF still
 * makes guessing a weak, human-chosen secret from a database dump expensive.
 */
const KDF_SALT = 'keycard/signing-keys/aes-256-gcm/v1';
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** A stored private key could not be opened: wrong secret, or the stored value was altered. */
export class KeyDecryptionError extends ConfigError {
  constructor(kid: string, source: string) {
    super(
      'KEYS_ENCRYPTION_SECRET',
      `cannot decrypt signing key "${kid}" with ${source}: the secret differs from the one the keys were ` +
        'encrypted with, or the stored key was altered. Restore that secret (new keys are not created).',
    );
    this.name = 'KeyDecryptionError';
  }
}

function deriveKey(secret: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, KDF_SALT, 32, SCRYPT, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/**
 * Seals private signing keys at rest with AES-256-GCM. The kid is bound as associated data, so a
 * sealed key copied onto another row does not open either.
 */
export class KeyCipher {
  private constructor(
    private readonly key: Buffer,
    /** Where the secret came from, for error messages (never the secret itself). */
    readonly source: string,
  ) {}

  static async fromSecret(secret: string, source: string): Promise<KeyCipher> {
    return new KeyCipher(await deriveKey(secret), source);
  }

  seal(kid: string, privateKey: KeyObject): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(kid, 'utf8'));
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const body = Buffer.concat([cipher.update(der), cipher.final()]);
    der.fill(0);
    return [FORMAT, iv, cipher.getAuthTag(), body]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(kid: string, sealed: string): KeyObject {
    const [format, iv, tag, body, ...rest] = sealed.split('.');
    if (format !== FORMAT || !iv || !tag || !body || rest.length > 0) {
      throw new KeyDecryptionError(kid, this.source);
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(kid, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const der = Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]);
      const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      der.fill(0);
      return key;
    } catch {
      throw new KeyDecryptionError(kid, this.source);
    }
  }
}
