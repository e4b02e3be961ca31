import { ErrorCode } from '@keycard/common';
import { codeOf } from '@keycard/testing';
import { ApiKeyScopePolicy, GRANTABLE_API_KEY_SCOPES } from './api-key-scopes';

const USER = ['user'];
const ADMIN = ['admin', 'user'];

describe('ApiKeyScopePolicy', () => {
  const policy = new ApiKeyScopePolicy();
  const withAdmin = new ApiKeyScopePolicy([
    ...GRANTABLE_API_KEY_SCOPES,
    'admin:users',
    'admin:read',
  ]);

  it('grants the catalogue to a secret key and only read scopes to a publishable key by default', () => {
    expect(policy.resolve('sk', USER)).toEqual([
      'documents:read',
      'documents:write',
      'profile:read',
    ]);
    expect(policy.resolve('pk', USER)).toEqual(['documents:read', 'profile:read']);
  });

  it('never puts admin scopes on a key by default, even for an admin', () => {
    expect(withAdmin.resolve('sk', ADMIN)).toEqual(GRANTABLE_API_KEY_SCOPES);
    expect(withAdmin.resolve('pk', ADMIN)).toEqual(['documents:read', 'profile:read']);
  });

  it('keeps an explicit list (deduplicated), including an empty one', () => {
    expect(policy.resolve('sk', USER, ['documents:read', 'documents:read'])).toEqual([
      'documents:read',
    ]);
    expect(policy.resolve('sk', USER, [])).toEqual([]);
    expect(withAdmin.resolve('sk', ADMIN, ['admin:users'])).toEqual(['admin:users']);
    expect(withAdmin.resolve('pk', ADMIN, ['admin:read'])).toEqual(['admin:read']);
  });

  it.each([
    [
      'a write scope on a publishable key',
      policy,
      'pk',
      USER,
      ['documents:write'],
      ErrorCode.BadRequest,
    ],
    [
      'a read and a write scope on a publishable key',
      policy,
      'pk',
      USER,
      ['documents:read', 'documents:write'],
      ErrorCode.BadRequest,
    ],
    ['an unknown scope', policy, 'sk', USER, ['documents:delete'], ErrorCode.BadRequest],
    ['a wildcard', policy, 'sk', USER, ['*'], ErrorCode.BadRequest],
    [
      'an admin scope not in the catalogue',
      policy,
      'sk',
      ADMIN,
      ['admin:users'],
      ErrorCode.BadRequest,
    ],
    [
      'an admin scope asked by a non-admin',
      withAdmin,
      'sk',
      USER,
      ['admin:users'],
      ErrorCode.Forbidden,
    ],
    [
      'an admin read scope asked by a non-admin',
      withAdmin,
      'pk',
      USER,
      ['admin:read'],
      ErrorCode.Forbidden,
    ],
    [
      'an admin write scope on a publishable key',
      withAdmin,
      'pk',
      ADMIN,
      ['admin:users'],
      ErrorCode.BadRequest,
    ],
  ] as const)('refuses %s', (_label, subject, type, roles, scopes, code) => {
    expect(codeOf(() => subject.resolve(type, roles, scopes))).toBe(code);
  });

  it('lists what an owner may grant', () => {
    expect(withAdmin.grantable('sk', USER)).toEqual(GRANTABLE_API_KEY_SCOPES);
    expect(withAdmin.grantable('sk', ADMIN)).toContain('admin:users');
    expect(withAdmin.grantable('pk', ADMIN)).toEqual([
      'documents:read',
      'profile:read',
      'admin:read',
    ]);
  });

  it('narrows stored scopes to what the owner may hold now', () => {
    const stored = ['documents:read', 'admin:users'];
    expect(withAdmin.effective('sk', ADMIN, stored)).toEqual(stored);
    expect(withAdmin.effective('sk', USER, stored)).toEqual(['documents:read']);
    expect(policy.effective('sk', ADMIN, stored)).toEqual(['documents:read']);
    expect(policy.effective('pk', USER, ['documents:read', 'documents:write'])).toEqual([
      'documents:read',
    ]);
  });
});
