import { matchTotp, newTotpSecret, otpauthUrl, totpCodeAt, TOTP_SECRET_BYTES } from './totp';

/* RFC 6238 acceptance: the ±1 step window, single use by step, and refused shapes. */
const STEP = 30_000;
// Mid-step, so "one step before/after" are whole steps away from a boundary.
const NOW = Date.UTC(2026, 11, 5, 8, 0, 15);

describe('TOTP codes', () => {
  const secret = newTotpSecret();
  const step = Math.floor(NOW / STEP);

  it('makes secrets of at least 160 bits', () => {
    // base32: 5 bits a character.
    expect(secret.length * 5).toBeGreaterThanOrEqual(TOTP_SECRET_BYTES * 8);
    expect(newTotpSecret()).not.toBe(secret);
  });

  it.each([
    ['the current step', 0],
    ['one step before', -1],
    ['one step after', 1],
  ])('accepts a code of %s', (_name, offset) => {
    const code = totpCodeAt(secret, NOW + offset * STEP);
    expect(matchTotp(secret, code, NOW, null)).toBe(step + offset);
  });

  it.each([
    ['two steps before', -2],
    ['two steps after', 2],
  ])('refuses a code of %s', (_name, offset) => {
    const code = totpCodeAt(secret, NOW + offset * STEP);
    expect(matchTotp(secret, code, NOW, null)).toBeNull();
  });

  it('refuses a code again once its step was used (replay), and any older one', () => {
    const code = totpCodeAt(secret, NOW);
    const used = matchTotp(secret, code, NOW, null);
    expect(used).toBe(step);
    expect(matchTotp(secret, code, NOW, used)).toBeNull();
    expect(matchTotp(secret, totpCodeAt(secret, NOW - STEP), NOW, used)).toBeNull();
    expect(matchTotp(secret, totpCodeAt(secret, NOW + STEP), NOW, used)).toBe(step + 1);
  });

  it.each(['', '12345', '1234567', 'abcdef', '12 34 5x'])('refuses %p', (code) => {
    expect(matchTotp(secret, code, NOW, null)).toBeNull();
  });

  it("refuses another secret's code", () => {
    expect(matchTotp(newTotpSecret(), totpCodeAt(secret, NOW), NOW, null)).toBeNull();
  });

  it('writes the otpauth URL apps expect (SHA1, 6 digits, 30 s)', () => {
    const url = new URL(otpauthUrl(secret, 'ada@example.test', 'Keycard'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('algorithm')).toBe('SHA1');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
    expect(url.searchParams.get('issuer')).toBe('Keycard');
  });
});
