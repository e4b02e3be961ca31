import { hash as argon2Hash, type Algorithm } from '@node-rs/argon2';
import { hash as bcryptHash } from 'bcrypt';
import { PasswordHasher } from './password-hasher';

const PASSWORD = 'correct horse battery staple';
const ARGON2I = 1 as Algorithm;

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();
  let bcrypt2b: string;

  beforeAll(async () => {
    await hasher.onModuleInit();
    bcrypt2b = await bcryptHash(PASSWORD, 4);
  });

  it('hashes with argon2id at the OWASP minimum, with a fresh salt each time', async () => {
    const first = await hasher.hash(PASSWORD);
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.hash(PASSWORD)).not.toBe(first);
  });

  it('verifies its own hashes, which need no rehash', async () => {
    const stored = await hasher.hash(PASSWORD);
    expect(await hasher.verify(stored, PASSWORD)).toEqual({ valid: true, needsRehash: false });
    expect(await hasher.verify(stored, 'wrong password')).toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it.each(['$2a$', '$2b$', '$2y$'])(
    'verifies a legacy bcrypt %s hash and asks for a rehash',
    async (prefix) => {
      const stored = bcrypt2b.replace(/^\$2b\$/, prefix);
      expect(await hasher.verify(stored, PASSWORD)).toEqual({ valid: true, needsRehash: true });
      expect(await hasher.verify(stored, 'wrong password')).toEqual({
        valid: false,
        needsRehash: false,
      });
    },
  );

  it.each([
    ['less memory', { memoryCost: 4096, timeCost: 2, parallelism: 1 }],
    ['fewer passes', { memoryCost: 19456, timeCost: 1, parallelism: 1 }],
    ['argon2i', { memoryCost: 19456, timeCost: 2, parallelism: 1, algorithm: ARGON2I }],
    ['a shorter output', { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 16 }],
  ])('asks to rehash an argon2 hash with %s than the policy', async (_label, options) => {
    const stored = await argon2Hash(PASSWORD, options);
    expect(await hasher.verify(stored, PASSWORD)).toEqual({ valid: true, needsRehash: true });
  });

  it('keeps a stronger argon2id hash (e.g. the argon2 package defaults) as it is', async () => {
    const stored = await argon2Hash(PASSWORD, { memoryCost: 65536, timeCost: 3, parallelism: 4 });
    expect(await hasher.verify(stored, PASSWORD)).toEqual({ valid: true, needsRehash: false });
  });

  it.each([
    ['empty', ''],
    ['plain text', PASSWORD],
    ['argon2 garbage', '$argon2id$garbage'],
    ['argon2 without a hash', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0'],
    ['bcrypt cut short', '$2b$10$short'],
    ['bcrypt with a bad cost', '$2b$99$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234'],
    [
      'unknown scheme',
      '$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E',
    ],
  ])('returns false, never throws, for a malformed stored hash (%s)', async (_label, stored) => {
    await expect(hasher.verify(stored, PASSWORD)).resolves.toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it('does a dummy verify against a hash made once, not per call', async () => {
    const fresh = new PasswordHasher();
    const hashSpy = jest.spyOn(fresh, 'hash');
    await fresh.onModuleInit();
    await fresh.dummyVerify(PASSWORD);
    await fresh.dummyVerify('another guess');
    expect(hashSpy).toHaveBeenCalledTimes(1);
  });
});
