import { ErrorCode } from '@keycard/common';
import { codeOf } from '@keycard/testing';
import { grantableScopes, parseScopeParam } from './scope';

describe('scope parameter', () => {
  it('parses space-separated scopes, dropping repeats; blank means absent', () => {
    expect(parseScopeParam('a  b a')).toEqual(['a', 'b']);
    expect(parseScopeParam(undefined)).toBeUndefined();
    expect(parseScopeParam('   ')).toBeUndefined();
  });

  it('refuses malformed scope tokens with invalid_scope', () => {
    expect(codeOf(() => parseScopeParam('ok "quoted"'))).toBe(ErrorCode.OAuthInvalidScope);
    expect(codeOf(() => parseScopeParam('back\\slash'))).toBe(ErrorCode.OAuthInvalidScope);
  });
});

describe('grantableScopes (client credentials)', () => {
  const allowed = ['documents:read', 'documents:write', 'reports'];

  it.each([
    ['all of the client scopes when none is asked for', undefined, allowed],
    ['the requested subset', ['documents:read'], ['documents:read']],
    ['exactly the allowed scopes', [...allowed], allowed],
  ])('grants %s', (_case, requested, expected) => {
    expect(grantableScopes(requested, allowed)).toEqual(expected);
  });

  it.each([
    ['a scope the client does not have', ['admin']],
    ['a mix of allowed and not allowed scopes', ['documents:read', 'documents:delete']],
  ])('refuses %s with invalid_scope', (_case, requested) => {
    expect(codeOf(() => grantableScopes(requested, allowed))).toBe(ErrorCode.OAuthInvalidScope);
  });

  it('gives a client without scopes only an empty scope', () => {
    expect(grantableScopes(undefined, [])).toEqual([]);
    expect(codeOf(() => grantableScopes(['x'], []))).toBe(ErrorCode.OAuthInvalidScope);
  });
});
