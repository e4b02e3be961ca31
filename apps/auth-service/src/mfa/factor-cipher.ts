import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import type { AuthSettings } from '../config/auth.config';
import { loadDevelopmentSecret } from '../keys/keys-secret';

const FORMAT = 'f1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/**
 * The secret of the signing keys (`KEYS_ENCRYPTION_SECRET`, or the development secret beside
 * them), stretched with its own salt: one secret to keep, but a key of its own for TOTP secrets
 * and sign-in challenges, so nothing sealed here ever opens as a signing key or the reverse.
 */
const KDF_SALT = 'keycard/second-factors/aes-256-gcm/v1';
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** A sealed value did not open: altered, made for another purpose, or under another secret. */
export class UnsealError extends Error {
  constructor() {
    super('sealed value does not open');
    this.name = 'UnsealError';
  }
}

/**
 * AES-256-GCM for second-factor data at rest (TOTP secrets) and in transit (`mfaToken`s).
 * `context` is bound as associated data (a factor id, a purpose), so a value copied elsewhere
 * does not open.
 */
export class FactorCipher {
  private constructor(private readonly key: Buffer) {}

  static async fromSecret(secret: string): Promise<FactorCipher> {
    const key = await new Promise<Buffer>((resolve, reject) =>
      scrypt(secret, KDF_SALT, 32, SCRYPT, (error, derived) =>
        error ? reject(error) : resolve(derived),
      ),
    );
    return new FactorCipher(key);
  }

  seal(context: string, plain: Buffer): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return [FORMAT, iv, cipher.getAuthTag(), body]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The plain bytes; `UnsealError` for anything that is not a value sealed here for `context`. */
  open(context: string, sealed: string): Buffer {
    const [format, iv, tag, body, ...rest] = sealed.split('.');
    if (format !== FORMAT || !iv || !tag || !body || rest.length > 0) throw new UnsealError();
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    } catch {
      throw new UnsealError();
    }
  }
}

/** The cipher from the signing keys' secret (the keys module already warns when it is a development one). */
export async function createFactorCipher(
  config: Pick<AuthSettings, 'keysEncryptionSecret' | 'dataDir'>,
): Promise<FactorCipher> {
  const secret =
    config.keysEncryptionSecret ?? (await loadDevelopmentSecret(config.dataDir)).secret;
  return FactorCipher.fromSecret(secret);
}
