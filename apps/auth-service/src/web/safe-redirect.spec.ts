import type { RedirectPolicy } from './safe-redirect';
import { redirectOr, safeRedirect } from './safe-redirect';

const ISSUER = 'https://id.example.com';
const POLICY: RedirectPolicy = {
  origin: ISSUER,
  allowed: [
    ISSUER,
    'https://example.com',
    'https://allowed.example',
    'https://spa.example.com/app',
    'https://[2001:db8::1]/x',
    'https://bücher.example/shop/',
  ],
};

describe('safeRedirect', () => {
  it.each([
    ['/account', '/account'],
    ['/account/keys?x=1#top', '/account/keys?x=1#top'],
    ['/account/./keys', '/account/keys'],
    ['/account/../account/keys', '/account/keys'],
    [
      '/oauth/authorize?client_id=a&redirect_uri=https%3A%2F%2Fx',
      '/oauth/authorize?client_id=a&redirect_uri=https%3A%2F%2Fx',
    ],
    ['https://id.example.com/account', '/account'],
    ['HTTPS://ID.EXAMPLE.COM:443/account', '/account'],
    ['https://example.com', 'https://example.com/'],
    ['https://example.com/deep/path?q=1', 'https://example.com/deep/path?q=1'],
    ['HTTPS://Example.COM/a', 'https://example.com/a'],
    ['https://allowed.example/cb', 'https://allowed.example/cb'],
    ['https://spa.example.com/app', 'https://spa.example.com/app'],
    ['https://spa.example.com/app/done', 'https://spa.example.com/app/done'],
    ['https://[2001:db8::1]/x', 'https://[2001:db8::1]/x'],
    ['https://[2001:db8:0:0::1]/x/y', 'https://[2001:db8::1]/x/y'],
    ['https://xn--bcher-kva.example/shop/book', 'https://xn--bcher-kva.example/shop/book'],
    ['https://bücher.example/shop/', 'https://xn--bcher-kva.example/shop/'],
  ])('allows %p as %p', (target, expected) => {
    expect(safeRedirect(target, POLICY)).toBe(expected);
  });

  it.each([
    // dot segments that resolve to a protocol-relative path
    ['dot-dot then //', '/..//evil.example/x'],
    ['dot then //', '/.//evil'],
    ['encoded dot-dot then //', '/%2e%2e//evil'],
    ['upper-case encoded dots and slash', '/%2E%2E/%2F/evil'],
    ['dot-dot in an absolute own URL', 'https://id.example.com/..//evil.example/x'],
    ['deep dot-dots', '/a/b/../../..//evil'],
    // encoded slashes and backslashes
    ['encoded slashes', '/%2f%2fevil'],
    ['encoded backslashes', '/%5c%5cevil'],
    ['encoded slash below an allowed path', 'https://spa.example.com/app/..%2fadmin'],
    // slashes and backslashes
    ['protocol-relative', '//evil'],
    ['protocol-relative, three slashes', '///evil.com'],
    ['slash backslash', '/\\evil'],
    ['two backslashes', '\\\\evil'],
    ['backslash in an absolute URL', 'https:\\\\evil.example'],
    // whitespace and control characters inside the URL
    ['tab between slashes', '/\t/evil'],
    ['newline between slashes', '/\n/evil'],
    ['carriage return', '/\r/evil'],
    ['tab in the scheme', 'java\tscript:alert(1)'],
    ['leading space', ' /account'],
    ['leading tab', '\t/account'],
    ['NUL', '/account\u0000'],
    ['no-break space', '/\u00a0/evil'],
    ['line separator', '/\u2028/evil'],
    // userinfo
    ['userinfo naming the allowed host', 'https://allowed@evil.example'],
    ['allowed host as userinfo', 'https://allowed.example@evil'],
    ['credentials on an allowed host', 'https://user:pw@allowed.example/'],
    ['user on the own origin', 'https://x@id.example.com/account'],
    // schemes
    ['javascript:', 'javascript:alert(1)'],
    ['mixed-case javascript:', 'JaVaScRiPt:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['vbscript:', 'vbscript:msgbox'],
    ['mixed-case https to another host', 'HTTPS://evil'],
    ['http instead of https', 'http://example.com/'],
    ['single-slash scheme', 'https:/evil.example'],
    ['no-slash scheme', 'https:evil.example'],
    // IPv6 and IDN hosts
    ['IPv6 loopback', 'http://[::1]/'],
    ['another IPv6 address', 'https://[2001:db8::2]/x'],
    ['IPv6 allowed host, other path', 'https://[2001:db8::1]/y'],
    ['Cyrillic look-alike of example.com', 'https://ехample.com'],
    ['its punycode', 'https://xn--ample-ywe6i.com/'],
    ['IDN host outside the allowed path', 'https://bücher.example/admin'],
    // prefix tricks
    ['allowed host as a subdomain prefix', 'https://allowed.example.evil.com'],
    ['own host as a subdomain prefix', 'https://id.example.com.evil.com/account'],
    ['other port', 'https://example.com:8443/'],
    ['path that only starts like the allowed one', 'https://spa.example.com/application'],
    ['allowed path left through dot segments', 'https://spa.example.com/app/../admin'],
    ['allowed path left through encoded dot segments', 'https://spa.example.com/app/%2e%2e/admin'],
    // neither an absolute path nor an absolute URL
    ['relative path', 'account'],
    ['query only', '?next=x'],
    ['fragment only', '#x'],
    ['host without scheme', 'evil.example/x'],
    ['empty', ''],
    ['too long', `/${'a'.repeat(2100)}`],
    ['not a string', 42],
    ['undefined', undefined],
  ])('refuses %s (%p)', (_label, target) => {
    expect(safeRedirect(target, POLICY)).toBeNull();
  });

  it('accepts same-origin paths only when the own origin is allowed', () => {
    const policy = { origin: ISSUER, allowed: [`${ISSUER}/oauth/authorize`] };
    expect(safeRedirect('/oauth/authorize?client_id=a', policy)).toBe(
      '/oauth/authorize?client_id=a',
    );
    expect(safeRedirect('/account', policy)).toBeNull();
    expect(safeRedirect('/oauth/authorize/../../account', policy)).toBeNull();
  });

  it('never returns a Location a browser would read as another host', () => {
    for (const target of ['/..//evil', '/.//evil', '/%2e%2e//evil', '/\t/evil', '/\\evil']) {
      const location = redirectOr(target, POLICY);
      expect(location).toBe('/account');
    }
  });

  it('falls back to the given path', () => {
    expect(redirectOr('https://evil.example', POLICY, '/login')).toBe('/login');
    expect(redirectOr('/account/keys', POLICY, '/login')).toBe('/account/keys');
  });
});
