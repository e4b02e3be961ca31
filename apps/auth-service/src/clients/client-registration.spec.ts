import { matchesRedirectUri, redirectUriProblem } from './client-registration';

describe('matchesRedirectUri', () => {
  const web = { type: 'web' as const, redirectUris: ['https://app.example/cb'] };
  const native = {
    type: 'native' as const,
    redirectUris: ['http://127.0.0.1/cb', 'http://[::1]:8080/cb'],
  };

  it.each([
    ['the exact URI', web, 'https://app.example/cb', true],
    ['a suffix', web, 'https://app.example/cb/evil', false],
    ['a prefix', web, 'https://app.example/c', false],
    ['an added query', web, 'https://app.example/cb?x=1', false],
    ['path traversal', web, 'https://app.example/cb/../evil', false],
    ['another port', web, 'https://app.example:8443/cb', false],
    ['another scheme', web, 'http://app.example/cb', false],
    ['a host suffix', web, 'https://app.example.evil.example/cb', false],
    ['a trailing slash', web, 'https://app.example/cb/', false],
    ['native loopback on any port', native, 'http://127.0.0.1:51234/cb', true],
    ['native IPv6 loopback on another port', native, 'http://[::1]:9000/cb', true],
    ['native loopback with another path', native, 'http://127.0.0.1:51234/other', false],
    ['native loopback as localhost', native, 'http://localhost:51234/cb', false],
    ['native loopback over https', native, 'https://127.0.0.1:51234/cb', false],
    [
      'a web client on another loopback port',
      { type: 'web' as const, redirectUris: ['http://127.0.0.1:3000/cb'] },
      'http://127.0.0.1:3001/cb',
      false,
    ],
  ])('%s → %s', (_case, client, uri, expected) => {
    expect(matchesRedirectUri(client, uri)).toBe(expected);
  });
});

describe('redirectUriProblem', () => {
  it.each([
    'https://app.example/cb',
    'http://localhost:8080/cb',
    'http://127.0.0.1/cb',
    'http://[::1]:3000/',
    'https://app.example/cb?tenant=1',
  ])('accepts %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeNull();
  });

  it.each([
    'http://app.example/cb',
    'https://app.example/cb#frag',
    'https://u:p@app.example/',
    'custom:/cb',
    'not a url',
    '',
    `https://app.example/${'a'.repeat(2100)}`,
  ])('refuses %s', (uri) => {
    expect(redirectUriProblem(uri)).not.toBeNull();
  });
});
