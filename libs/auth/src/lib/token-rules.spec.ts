import { KeycardError } from '@keycard/common';
import { b64url } from '../testing/keycard-testing';
import {
  bearerToken,
  checkAccessTokenHeader,
  checkCanonicalSegments,
  decodeJwtHeader,
  isCanonicalBase64url,
  isWellFormedToken,
  principalFromClaims,
} from './token-rules';

function reasonOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof KeycardError ? `${error.code}: ${error.reason}` : String(error);
  }
  return undefined;
}

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER   abc==  ', 'abc=='],
    ['Bearer\tabc', 'abc'],
    ['Bearer', ''],
    ['Bearer ', ''],
    ['Bearer a b', 'a b'],
    ['Basic dTpw', undefined],
    ['Bearerabc', undefined],
    ['Bear', undefined],
    [undefined, undefined],
  ])('%p → %p', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});

describe('isWellFormedToken', () => {
  it.each([
    ['abc.def.ghi', true],
    ['a-b_c~d+e/f==', true],
    ['', false],
    ['a b', false],
    ['a,b', false],
    ['abc=def', false],
  ])('%p → %p', (token, expected) => {
    expect(isWellFormedToken(token)).toBe(expected);
  });
});

describe('decodeJwtHeader', () => {
  it.each(['', 'a', 'a.b', 'a.b.c.d', `${b64url([1])}.e30.x`, '!!!.e30.x'])(
    'refuses %p',
    (token) => {
      expect(reasonOf(() => decodeJwtHeader(token))).toMatch(/^invalid_token/);
    },
  );
});

describe('isCanonicalBase64url', () => {
  it('holds exactly when re-encoding the decoded bytes gives the same string back', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let length = 0; length <= 7; length++) {
      const canonical = Buffer.alloc(length, 0x5a).toString('base64url');
      for (const last of alphabet) {
        const segment = canonical.slice(0, -1) + last;
        const roundTrip = Buffer.from(segment, 'base64url').toString('base64url');
        expect({ segment, canonical: isCanonicalBase64url(segment) }).toEqual({
          segment,
          canonical: roundTrip === segment,
        });
      }
    }
  });

  it('allows 16 spellings of a 2-character tail to be exactly one', () => {
    const spellings = [...'AQgw'].flatMap((first) =>
      [...'ABCDEFGHIJKLMNOP'].map((second) => `${first}${second}`),
    );
    const bytes = new Set(spellings.map((s) => Buffer.from(s, 'base64url').toString('hex')));
    expect(bytes.size).toBe(4);
    expect(spellings.filter(isCanonicalBase64url)).toEqual(['AA', 'QA', 'gA', 'wA']);
  });

  it.each([
    ['', true],
    ['eyJhbGciOiJSUzI1NiJ9', true],
    ['AA', true],
    ['AAA', true],
    ['AAAA', true],
    ['AB', false],
    ['AAB', false],
    ['A', false],
    ['AAAAA', false],
    ['AA==', false],
    ['AAA=', false],
    ['a+b/', false],
    ['a b', false],
    ['AA.A', false],
    ['AAé', false],
    ['AA\u0000', false],
  ])('%p → %p', (segment, expected) => {
    expect(isCanonicalBase64url(segment)).toBe(expected);
  });
});

describe('checkCanonicalSegments', () => {
  it.each(['AB.AA.AA', 'AA.AB.AA', 'AA.AA.AB', 'AA.AA.AA==', 'AA.AA', 'AA.AA.AA.AA'])(
    'refuses %p',
    (token) => {
      expect(reasonOf(() => checkCanonicalSegments(token))).toBe(
        'invalid_token: non-canonical base64url',
      );
    },
  );

  it('accepts canonical segments, an empty signature included', () => {
    expect(reasonOf(() => checkCanonicalSegments('eyJhIjoxfQ.e30.AA'))).toBeUndefined();
    expect(reasonOf(() => checkCanonicalSegments('eyJhIjoxfQ.e30.'))).toBeUndefined();
  });
});

describe('checkAccessTokenHeader', () => {
  const good = { alg: 'RS256', typ: 'at+jwt', kid: 'k1' };

  it('returns the kid of a good header, typ in either spelling', () => {
    expect(checkAccessTokenHeader(good)).toBe('k1');
    expect(checkAccessTokenHeader({ ...good, typ: 'application/at+JWT' })).toBe('k1');
  });

  it.each([
    [{ ...good, alg: 'none' }, /alg none/],
    [{ ...good, alg: 'HS256' }, /alg HS256/],
    [{ ...good, alg: 'PS256' }, /alg PS256/],
    [{ ...good, typ: 'JWT' }, /typ/],
    [{ ...good, typ: 7 }, /typ/],
    [{ ...good, jwk: {} }, /jwk/],
    [{ ...good, jku: 'x' }, /jku/],
    [{ ...good, x5u: 'x' }, /x5u/],
    [{ ...good, x5c: [] }, /x5c/],
    [{ ...good, crit: [] }, /crit/],
    [{ ...good, kid: '' }, /kid/],
    [{ ...good, kid: 3 }, /kid/],
  ])('refuses %p', (header, reason) => {
    expect(reasonOf(() => checkAccessTokenHeader(header))).toMatch(reason);
  });
});

describe('principalFromClaims', () => {
  const base = { sub: 'u1', exp: 1_800_000_000 };

  it('maps a user token', () => {
    expect(
      principalFromClaims({ ...base, roles: ['admin'], scope: 'a  b', sid: 's', jti: 'j' }),
    ).toEqual({
      sub: 'u1',
      authType: 'jwt',
      roles: ['admin'],
      scopes: ['a', 'b'],
      scopeRestricted: false,
      clientId: undefined,
      sessionId: 's',
      tokenId: 'j',
      expiresAt: 1_800_000_000_000,
    });
  });

  it('defaults roles and scope to empty', () => {
    expect(principalFromClaims(base)).toMatchObject({ roles: [], scopes: [] });
  });

  it('marks client_credentials tokens (sub === client_id) as scope-restricted, not tokens of users via a client', () => {
    expect(principalFromClaims({ ...base, sub: 'svc', client_id: 'svc' }).scopeRestricted).toBe(
      true,
    );
    expect(principalFromClaims({ ...base, client_id: 'spa' }).scopeRestricted).toBe(false);
  });

  it.each([
    ['payload not an object', 'text'],
    ['no sub', { exp: 1 }],
    ['empty sub', { sub: '', exp: 1 }],
    ['no exp', { sub: 'u1' }],
    ['exp not a number', { sub: 'u1', exp: '1' }],
    ['roles with a number', { ...base, roles: ['a', 1] }],
    ['scope an array', { ...base, scope: ['a'] }],
    ['client_id a number', { ...base, client_id: 1 }],
    ['sid a number', { ...base, sid: 1 }],
  ])('refuses %s', (_name, payload) => {
    expect(reasonOf(() => principalFromClaims(payload))).toMatch(/^invalid_token/);
  });
});
