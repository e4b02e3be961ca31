import { sha256Hex, sha256HexEqual, timeOrderedUuid } from './crypto';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedUuid', () => {
  it('is a version-7 UUID (RFC 9562 layout and variant)', () => {
    for (let i = 0; i < 200; i++) expect(timeOrderedUuid(Date.now())).toMatch(UUID_V7);
  });

  it('carries its time in the first 48 bits', () => {
    const at = Date.UTC(2026, 11, 6, 12, 0, 0, 123);
    const id = timeOrderedUuid(at);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
    expect(timeOrderedUuid(0).startsWith('00000000-0000-7')).toBe(true);
  });

  it('sorts as text in the order of its times, whatever its random part', () => {
    const times = [1, 255, 256, 65_535, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000];
    const ids = times.map((at) => timeOrderedUuid(at));
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('differs within one millisecond', () => {
    const at = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => timeOrderedUuid(at)));
    expect(ids.size).toBe(10_000);
  });
});

describe('sha256HexEqual', () => {
  const digest = sha256Hex('the secret');

  it('matches the digest of the same value only', () => {
    expect(sha256HexEqual(sha256Hex('the secret'), digest)).toBe(true);
    expect(sha256HexEqual(sha256Hex('the secreT'), digest)).toBe(false);
    expect(sha256HexEqual(digest, `${digest.slice(0, 63)}${digest[63] === '0' ? '1' : '0'}`)).toBe(
      false,
    );
  });

  it.each([
    ['empty', ''],
    ['one short', digest.slice(1)],
    ['one long', `${digest}0`],
    ['not hex', `${'z'.repeat(2)}${digest.slice(2)}`],
    ['not hex at the end', `${digest.slice(0, 62)}zz`],
  ])('never matches a stored value that is not a digest (%s)', (_case, stored) => {
    expect(sha256HexEqual(digest, stored)).toBe(false);
    expect(sha256HexEqual(stored, digest)).toBe(false);
    expect(sha256HexEqual(stored, stored)).toBe(false);
  });
});
