import type { AuthorizeClient } from './authorize-request';
import { authorizationResponseUri, validateAuthorizeRequest } from './authorize-request';

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const REDIRECT = 'https://app.example/cb';

const web: AuthorizeClient = {
  clientId: 'web-app',
  type: 'web',
  redirectUris: [REDIRECT],
  scopes: ['documents:read'],
  revokedAt: null,
};
const twoUris: AuthorizeClient = { ...web, redirectUris: [REDIRECT, 'https://app.example/other'] };

const good = {
  client_id: 'web-app',
  redirect_uri: REDIRECT,
  response_type: 'code',
  scope: 'openid email documents:read',
  state: 'st-1',
  nonce: 'n-1',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
};

type Params = Record<string, unknown>;

function without(name: string): Params {
  const copy: Params = { ...good };
  delete copy[name];
  return copy;
}

describe('validateAuthorizeRequest', () => {
  it('accepts a complete request', () => {
    expect(validateAuthorizeRequest(good, web)).toEqual({
      kind: 'valid',
      request: {
        clientId: 'web-app',
        redirectUri: REDIRECT,
        scopes: ['openid', 'email', 'documents:read'],
        state: 'st-1',
        nonce: 'n-1',
        codeChallenge: CHALLENGE,
        prompt: [],
        maxAge: undefined,
        loginHint: undefined,
      },
    });
  });

  it('takes the only registered redirect URI when none is sent', () => {
    const verdict = validateAuthorizeRequest(without('redirect_uri'), web);
    expect(verdict.kind === 'valid' && verdict.request.redirectUri).toBe(REDIRECT);
  });

  // Errors that must never be sent to the redirect URI: the error page (400).
  it.each<[string, Params, AuthorizeClient | null]>([
    ['no client_id', without('client_id'), web],
    ['an unknown client', good, null],
    ['a revoked client', good, { ...web, revokedAt: 1 }],
    ['a service client', good, { ...web, type: 'service' }],
    ['an unregistered redirect_uri', { ...good, redirect_uri: 'https://evil.example/cb' }, web],
    ['a redirect_uri with a suffix', { ...good, redirect_uri: `${REDIRECT}/x` }, web],
    ['a redirect_uri prefix', { ...good, redirect_uri: 'https://app.example/c' }, web],
    ['a redirect_uri with ../', { ...good, redirect_uri: 'https://app.example/cb/../x' }, web],
    [
      'a redirect_uri on another port',
      { ...good, redirect_uri: 'https://app.example:444/cb' },
      web,
    ],
    ['a redirect_uri with http', { ...good, redirect_uri: 'http://app.example/cb' }, web],
    ['a repeated redirect_uri', { ...good, redirect_uri: [REDIRECT, REDIRECT] }, web],
    ['no redirect_uri when several are registered', without('redirect_uri'), twoUris],
  ])('shows the error page for %s', (_case, params, client) => {
    expect(validateAuthorizeRequest(params, client)).toMatchObject({ kind: 'page' });
  });

  // Every other error goes back to the app, with its state.
  it.each<[string, Params, string]>([
    ['no response_type', without('response_type'), 'invalid_request'],
    ['response_type=token', { ...good, response_type: 'token' }, 'unsupported_response_type'],
    [
      'response_type=code id_token',
      { ...good, response_type: 'code id_token' },
      'unsupported_response_type',
    ],
    ['response_mode=fragment', { ...good, response_mode: 'fragment' }, 'invalid_request'],
    ['no code_challenge (PKCE downgrade)', without('code_challenge'), 'invalid_request'],
    ['code_challenge_method=plain', { ...good, code_challenge_method: 'plain' }, 'invalid_request'],
    [
      'no code_challenge_method (plain by default)',
      without('code_challenge_method'),
      'invalid_request',
    ],
    ['a short code_challenge', { ...good, code_challenge: 'abc' }, 'invalid_request'],
    ['an unknown scope', { ...good, scope: 'openid admin:all' }, 'invalid_scope'],
    ['a malformed scope', { ...good, scope: 'openid "x"' }, 'invalid_scope'],
    ['an unknown prompt', { ...good, prompt: 'select_account' }, 'invalid_request'],
    ['prompt=none with login', { ...good, prompt: 'none login' }, 'invalid_request'],
    ['a negative max_age', { ...good, max_age: '-1' }, 'invalid_request'],
    ['a max_age that is not a number', { ...good, max_age: 'soon' }, 'invalid_request'],
    ['a repeated scope parameter', { ...good, scope: ['openid', 'email'] }, 'invalid_request'],
    ['a nonce over 512 characters', { ...good, nonce: 'n'.repeat(513) }, 'invalid_request'],
    ['a request object', { ...good, request: 'eyJ.x.y' }, 'request_not_supported'],
    ['a request_uri', { ...good, request_uri: 'https://x' }, 'request_uri_not_supported'],
  ])('redirects %s with %s', (_case, params, error) => {
    expect(validateAuthorizeRequest(params, web)).toMatchObject({
      kind: 'redirect',
      redirectUri: REDIRECT,
      state: 'st-1',
      error,
    });
  });

  it('echoes no state that it could not accept', () => {
    const verdict = validateAuthorizeRequest(
      { ...good, state: 's'.repeat(2000), response_type: 'token' },
      web,
    );
    expect(verdict).toMatchObject({ kind: 'redirect', state: undefined });
  });

  it('accepts prompt, max_age and login_hint', () => {
    const verdict = validateAuthorizeRequest(
      { ...good, prompt: 'login consent', max_age: '0', login_hint: 'ada@example.com' },
      web,
    );
    expect(verdict).toMatchObject({
      kind: 'valid',
      request: { prompt: ['login', 'consent'], maxAge: 0, loginHint: 'ada@example.com' },
    });
  });
});

describe('authorizationResponseUri', () => {
  it('adds the values and iss, keeping the registered query', () => {
    const uri = authorizationResponseUri(
      'https://app.example/cb?tenant=a',
      'http://localhost:3000',
      {
        code: 'c',
        state: 's&x',
        missing: undefined,
      },
    );
    expect(uri).toBe(
      'https://app.example/cb?tenant=a&code=c&state=s%26x&iss=http%3A%2F%2Flocalhost%3A3000',
    );
  });
});
