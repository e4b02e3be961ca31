import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyCipher, KeyDecryptionError } from './key-cipher';
import { createKeyCipher, DEV_SECRET_FILE, loadDevelopmentSecret } from './keys-secret';
import { testCipher } from './keys.test-kit';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs8 = (key: typeof privateKey) => key.export({ format: 'der', type: 'pkcs8' });

/** Flips one bit of a base64url part (at the byte level: the last character may carry padding bits). */
function flipBit(part: string): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[0] ^= 1;
  return bytes.toString('base64url');
}

describe('KeyCipher (AES-256-GCM)', () => {
  it('round-trips a private key and never stores it in the clear', async () => {
    const cipher = await testCipher();
    const sealed = cipher.seal('kid-1', privateKey);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(pkcs8(privateKey).toString('base64url').slice(0, 40));
    expect(pkcs8(cipher.open('kid-1', sealed)).equals(pkcs8(privateKey))).toBe(true);
  });

  it('uses a fresh IV for every seal', async () => {
    const cipher = await testCipher();
    expect(cipher.seal('kid-1', privateKey)).not.toEqual(cipher.seal('kid-1', privateKey));
  });

  it('refuses to open with the wrong secret, naming the variable but not the secret', async () => {
    const sealed = (await testCipher()).seal('kid-1', privateKey);
    const wrong = await KeyCipher.fromSecret(
      'another-secret-'.padEnd(40, 'z'),
      'KEYS_ENCRYPTION_SECRET',
    );
    expect(() => wrong.open('kid-1', sealed)).toThrow(KeyDecryptionError);
    expect(() => wrong.open('kid-1', sealed)).toThrow(
      /KEYS_ENCRYPTION_SECRET.*cannot decrypt signing key "kid-1"/,
    );
    expect(() => wrong.open('kid-1', sealed)).not.toThrow(/another-secret/);
  });

  it.each([
    ['the IV', 1],
    ['the tag', 2],
    ['the ciphertext', 3],
  ])('detects tampering with %s', async (_part, index) => {
    const cipher = await testCipher();
    const parts = cipher.seal('kid-1', privateKey).split('.');
    parts[index] = flipBit(parts[index]);
    expect(() => cipher.open('kid-1', parts.join('.'))).toThrow(KeyDecryptionError);
  });

  it.each(['', 'v1', 'v2.a.b.c', 'v1.a.b.c.d', 'not a sealed key'])(
    'rejects the malformed value %p',
    async (value) => {
      const cipher = await testCipher();
      expect(() => cipher.open('kid-1', value)).toThrow(KeyDecryptionError);
    },
  );

  it('binds the sealed key to its kid: a copy on another row does not open', async () => {
    const cipher = await testCipher();
    expect(() => cipher.open('kid-2', cipher.seal('kid-1', privateKey))).toThrow(
      KeyDecryptionError,
    );
  });
});

describe('createKeyCipher', () => {
  const warn = jest.fn();
  beforeEach(() => warn.mockReset());

  it('uses KEYS_ENCRYPTION_SECRET without writing a file or warning', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keycard-keys-'));
    const secret = 'production-secret-'.padEnd(40, 'p');
    const cipher = await createKeyCipher({ keysEncryptionSecret: secret, dataDir }, { warn });
    expect(() => statSync(join(dataDir, DEV_SECRET_FILE))).toThrow();
    expect(warn).not.toHaveBeenCalled();
    const same = await KeyCipher.fromSecret(secret, 'KEYS_ENCRYPTION_SECRET');
    expect(pkcs8(same.open('k', cipher.seal('k', privateKey))).equals(pkcs8(privateKey))).toBe(
      true,
    );
  });

  it('without the variable, generates a 0600 development secret once (creating the folder) and warns', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'keycard-keys-')), 'nested', 'data');
    const first = await createKeyCipher({ keysEncryptionSecret: undefined, dataDir }, { warn });
    const path = join(dataDir, DEV_SECRET_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim()).toMatch(/^[\w-]{43}$/);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/WARNING.*Production must set KEYS_ENCRYPTION_SECRET/),
    );
    expect(warn.mock.calls[0][0]).not.toContain(readFileSync(path, 'utf8').trim());

    const second = await createKeyCipher({ keysEncryptionSecret: undefined, dataDir }, { warn });
    expect(pkcs8(second.open('k', first.seal('k', privateKey))).equals(pkcs8(privateKey))).toBe(
      true,
    );
  });

  it('tightens a DATA_DIR (0755) and development secret (0644) made before, warning with their paths', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'keycard-keys-')), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const path = join(dataDir, DEV_SECRET_FILE);
    writeFileSync(path, `${'s'.repeat(43)}\n`);
    chmodSync(path, 0o644);
    await createKeyCipher({ keysEncryptionSecret: undefined, dataDir }, { warn });
    expect([statSync(dataDir).mode & 0o777, statSync(path).mode & 0o777]).toEqual([0o700, 0o600]);
    const warnings = warn.mock.calls.map(([message]) => String(message));
    expect(warnings).toContainEqual(
      `${dataDir} was open to other users (mode 0755): changed to 0700`,
    );
    expect(warnings).toContainEqual(`${path} was open to other users (mode 0644): changed to 0600`);
  });

  it('gives racing instances the same development secret', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keycard-keys-'));
    const secrets = await Promise.all(
      Array.from({ length: 5 }, () => loadDevelopmentSecret(dataDir)),
    );
    expect(new Set(secrets.map((s) => s.secret)).size).toBe(1);
  });
});
