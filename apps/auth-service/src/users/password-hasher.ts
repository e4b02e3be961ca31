import { Injectable, OnModuleInit } from '@nestjs/common';
import { hash, parseOptions, verify, type Algorithm, type Options } from '@node-rs/argon2';
import { compare as bcryptCompare } from 'bcrypt';
import { randomToken } from '@keycard/common';

// The package's enums are `const enum`s with no runtime values under per-file transpilers (SWC),
// so their numbers are spelled out here.
const ARGON2ID = 2 as Algorithm;
const ARGON2_VERSION_0X13 = 1;

/** argon2id at the OWASP minimum: 19 MiB, 2 passes, 1 lane (about 10 ms on this hardware). */
export const ARGON2_POLICY = {
  algorithm: ARGON2ID,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const satisfies Options;

export interface PasswordCheck {
  valid: boolean;
  /** The hash is bcrypt or weaker argon2 than the policy: store a fresh `hash()` after login. */
  needsRehash: boolean;
}

const INVALID: PasswordCheck = { valid: false, needsRehash: false };
const BCRYPT_PREFIX = /^\$2[aby]\$\d{2}\$/;
const ARGON2_PREFIX = /^\$argon2(id|i|d)\$/;

/**
 * Hashes passwords with argon2id and verifies argon2 and legacy bcrypt hashes. `verify` never
 * throws on a malformed hash; `dummyVerify` does the same work for a user who does not exist.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash?: Promise<string>;

  /** Computes the dummy hash at start-up, so the first unknown-email login is not the slow one. */
  async onModuleInit(): Promise<void> {
    await this.getDummyHash();
  }

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_POLICY);
  }

  async verify(storedHash: string, password: string): Promise<PasswordCheck> {
    if (BCRYPT_PREFIX.test(storedHash)) return verifyBcrypt(storedHash, password);
    if (ARGON2_PREFIX.test(storedHash)) return verifyArgon2(storedHash, password);
    await this.dummyVerify(password); // an unreadable hash costs what a real one does
    return INVALID;
  }

  /** One argon2 verify against a fixed hash: an unknown email costs what a wrong password does. */
  async dummyVerify(password: string): Promise<void> {
    await verifyArgon2(await this.getDummyHash(), password);
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.hash(randomToken(32));
    return this.dummyHash;
  }
}

async function verifyArgon2(storedHash: string, password: string): Promise<PasswordCheck> {
  try {
    const valid = await verify(storedHash, password);
    return { valid, needsRehash: valid && isWeakerThanPolicy(storedHash) };
  } catch {
    return INVALID;
  }
}

async function verifyBcrypt(storedHash: string, password: string): Promise<PasswordCheck> {
  try {
    // `$2y$` (PHP) is the same algorithm as `$2b$`, which is the only spelling the library reads.
    const valid = await bcryptCompare(password, storedHash.replace(/^\$2y\$/, '$2b$'));
    return { valid, needsRehash: valid };
  } catch {
    return INVALID;
  }
}

function isWeakerThanPolicy(storedHash: string): boolean {
  const params = parseOptions(storedHash);
  return (
    params.algorithm !== ARGON2_POLICY.algorithm ||
    params.version !== ARGON2_VERSION_0X13 ||
    params.memoryCost < ARGON2_POLICY.memoryCost ||
    params.timeCost < ARGON2_POLICY.timeCost ||
    params.outputLen < ARGON2_POLICY.outputLen
  );
}
