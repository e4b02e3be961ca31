import { safeReturnTo, withHandoffCode } from './return-to';

const ISSUER = 'https://id.example.com';
const ALLOWLIST = ['https://app.example.com', 'https://spa.example.com/auth'];

describe('safeReturnTo', () => {
  it.each([
    ['/account', '/account'],
    ['/account/keys?x=1#top', '/account/keys?x=1#top'],
    ['https://app.example.com', 'https://app.example.com/'],
    ['https://app.example.com/deep/path?q=1', 'https://app.example.com/deep/path?q=1'],
    ['https://spa.example.com/auth', 'https://spa.example.com/auth'],
    ['https://spa.example.com/auth/done', 'https://spa.example.com/auth/done'],
  ])('allows %p', (value, expected) => {
    expect(safeReturnTo(value, ISSUER, ALLOWLIST)).toBe(expected);
  });

  it.each([
    undefined,
    '',
    '//evil.com',
    '///evil.com',
    '/\\evil.com',
    '\\\\evil.com',
    'https://evil.com',
    'http://app.example.com',
    'https://app.example.com.evil.com',
    'https://app.example.com@evil.com',
    'https://user:pw@app.example.com/',
    'https://spa.example.com/other',
    'https://spa.example.com/authx',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox',
    '/account\n/evil',
    '\t/account',
    'account',
    `/${'a'.repeat(2100)}`,
  ])('refuses %p', (value) => {
    expect(safeReturnTo(value, ISSUER, ALLOWLIST)).toBeNull();
  });

  it('adds the code to the query, keeping what was there', () => {
    expect(withHandoffCode('https://app.example.com/cb?a=1', ISSUER, 'xyz')).toBe(
      'https://app.example.com/cb?a=1&code=xyz',
    );
    expect(withHandoffCode('/account', ISSUER, 'xyz')).toBe(
      'https://id.example.com/account?code=xyz',
    );
  });
});
