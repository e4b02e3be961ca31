import { ErrorCode } from '@keycard/common';
import { codeOf } from '@keycard/testing';
import { OAuthParams } from './oauth-params';
import { tokenKind } from './token-kind';

describe('OAuthParams', () => {
  it('reads string parameters; empty values count as omitted', () => {
    const params = new OAuthParams({ grant_type: 'client_credentials', scope: '' });
    expect(params.get('grant_type')).toBe('client_credentials');
    expect(params.get('scope')).toBeUndefined();
    expect(params.get('missing')).toBeUndefined();
    expect(new OAuthParams(undefined).get('grant_type')).toBeUndefined();
  });

  it.each([
    ['a missing required parameter', () => new OAuthParams({}).require('grant_type')],
    ['a repeated parameter', () => new OAuthParams({ scope: ['a', 'b'] }).get('scope')],
    ['a JSON number', () => new OAuthParams({ grant_type: 1 }).get('grant_type')],
    ['a JSON object', () => new OAuthParams({ token: { a: 1 } }).get('token')],
    ['a JSON array body', () => new OAuthParams(['grant_type'])],
    ['a JSON string body', () => new OAuthParams('grant_type=x')],
  ])('refuses %s with invalid_request', (_case, run) => {
    expect(codeOf(run)).toBe(ErrorCode.OAuthInvalidRequest);
  });

  it('ignores inherited properties', () => {
    expect(new OAuthParams({}).get('constructor')).toBeUndefined();
    expect(new OAuthParams({}).get('__proto__')).toBeUndefined();
  });
});

describe('tokenKind', () => {
  it.each([
    ['rt_abc', 'refresh_token'],
    ['sk_live_abc', 'api_key'],
    ['pk_test_abc', 'api_key'],
    ['eyJhbGciOi.eyJzdWIi.c2ln', 'access_token'],
    ['not a token', 'unknown'],
    ['a.b', 'unknown'],
    [`${'a'.repeat(9000)}.b.c`, 'unknown'],
  ])('%s is %s', (token, kind) => {
    expect(tokenKind(token)).toBe(kind);
  });
});
