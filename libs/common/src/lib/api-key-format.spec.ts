import {
  API_KEY_CHECKSUM_LENGTH,
  API_KEY_RANDOM_LENGTH,
  apiKeyDisplayPrefix,
  crc32,
  generateApiKey,
  hashApiKey,
  parseApiKey,
} from './api-key-format';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SHAPE = /^(sk|pk)_(live|test)_[0-9A-Za-z]{49}$/;

function replaceAt(text: string, index: number, char: string): string {
  return `${text.slice(0, index)}${char}${text.slice(index + 1)}`;
}

describe('api key format', () => {
  it.each([
    ['sk', 'live'],
    ['sk', 'test'],
    ['pk', 'live'],
    ['pk', 'test'],
  ] as const)('generates %s_%s keys of the documented shape', (type, environment) => {
    const { key, prefix } = generateApiKey(type, environment);
    expect(key).toMatch(SHAPE);
    expect(key.startsWith(`${type}_${environment}_`)).toBe(true);
    expect(key).toHaveLength(
      `${type}_${environment}_`.length + API_KEY_RANDOM_LENGTH + API_KEY_CHECKSUM_LENGTH,
    );
    expect(prefix).toBe(key.slice(0, 12));
    expect(parseApiKey(key)).toEqual({
      type,
      environment,
      body: key.slice(8, 8 + API_KEY_RANDOM_LENGTH),
    });
  });

  it('carries at least 192 bits of randomness (length math)', () => {
    // 32 random bytes = 256 bits; 43 base62 characters can hold them since 43·log2(62) ≥ 256.
    expect(API_KEY_RANDOM_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(256);
    expect(42 * Math.log2(62)).toBeLessThan(256); // 43 is the shortest fixed length that fits
    expect(256).toBeGreaterThanOrEqual(192);
    // The checksum: 62^6 > 2^32, so every CRC32 fits in 6 characters.
    expect(62 ** API_KEY_CHECKSUM_LENGTH).toBeGreaterThan(2 ** 32);
  });

  it('implements the standard CRC-32', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
    expect(crc32('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339);
    // Over the UTF-8 bytes (the same values as zlib.crc32).
    expect(crc32('héllo €')).toBe(0xe131580e);
    expect(crc32('日本語')).toBe(0xa80b52e5);
  });

  it('makes 1000 distinct keys', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey('sk', 'live').key));
    expect(keys.size).toBe(1000);
  });

  it('detects every single-character substitution of a sample key', () => {
    const { key } = generateApiKey('sk', 'live');
    let variants = 0;
    for (let index = 8; index < key.length; index++) {
      for (const char of BASE62) {
        if (char === key[index]) continue;
        variants++;
        expect(parseApiKey(replaceAt(key, index, char))).toBeNull();
      }
    }
    expect(variants).toBe(49 * 61);
  });

  it('detects every adjacent transposition of a sample key', () => {
    const { key } = generateApiKey('pk', 'test');
    for (let index = 8; index < key.length - 1; index++) {
      if (key[index] === key[index + 1]) continue;
      const swapped = `${key.slice(0, index)}${key[index + 1]}${key[index]}${key.slice(index + 2)}`;
      expect(parseApiKey(swapped)).toBeNull();
    }
  });

  it('refuses a valid body under another prefix (the checksum covers type and environment)', () => {
    const { key } = generateApiKey('sk', 'live');
    expect(parseApiKey(`pk${key.slice(2)}`)).toBeNull();
    expect(parseApiKey(key.replace('_live_', '_test_'))).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['unknown type', 'xk_live_'],
    ['unknown environment', 'sk_prod_'],
    ['refresh token', 'rt_'],
  ])('refuses a wrong prefix: %s', (_label, prefix) => {
    const { key } = generateApiKey('sk', 'live');
    expect(parseApiKey(`${prefix}${key.slice(8)}`)).toBeNull();
  });

  it('refuses wrong lengths, characters and non-strings without throwing', () => {
    const { key } = generateApiKey('sk', 'test');
    for (const text of [
      key.slice(0, -1),
      `${key}0`,
      ` ${key}`,
      `${key}\n`,
      key.replace(/.$/, '-'),
      key.toUpperCase(),
    ]) {
      expect(parseApiKey(text)).toBeNull();
    }
    for (const value of [undefined, null, 42, {}, ['sk_live_']])
      expect(parseApiKey(value)).toBeNull();
  });

  it('hashes with SHA-256 hex and shows a 12-character prefix', () => {
    expect(hashApiKey('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(apiKeyDisplayPrefix('sk_live_AbCdEfGh')).toBe('sk_live_AbCd');
  });
});
