import { b64url, signHs256, signRs256, TestKeyPair, unsignedToken } from './keycard-testing';
import { accessToken, userClaims } from './fixtures';

export interface RejectionContext {
  now: number;
  /** The key the verifier trusts. */
  key: TestKeyPair;
  /** A different key pair that claims the same kid. */
  attacker: TestKeyPair;
}

/** [what, token maker, expected reason]: every access token a verifier must refuse. */
export type RejectedToken = [string, (context: RejectionContext) => string, RegExp];

const claims = ({ now }: RejectionContext, overrides: Record<string, unknown> = {}) =>
  userClaims(now, overrides);
const seconds = ({ now }: RejectionContext) => Math.floor(now / 1000);

export const REJECTED_TOKENS: RejectedToken[] = [
  ['alg none', (c) => unsignedToken(claims(c), { kid: c.key.kid }), /alg none/],
  [
    'HS256 signed with the public key PEM',
    (c) =>
      signHs256(
        { alg: 'HS256', typ: 'at+jwt', kid: c.key.kid },
        claims(c),
        c.key.publicKey.export({ type: 'spki', format: 'pem' }),
      ),
    /alg HS256/,
  ],
  ['unknown kid', (c) => accessToken(c.key, claims(c), { kid: 'key-unknown' }), /unknown kid/],
  [
    'missing kid',
    (c) => signRs256({ alg: 'RS256', typ: 'at+jwt' }, claims(c), c.key.privateKey),
    /kid is missing/,
  ],
  [
    'embedded jwk header (attacker key)',
    (c) => accessToken(c.attacker, claims(c), { jwk: c.attacker.jwk }),
    /header jwk/,
  ],
  [
    'jku header',
    (c) => accessToken(c.key, claims(c), { jku: 'https://evil.test/jwks.json' }),
    /header jku/,
  ],
  [
    'x5u header',
    (c) => accessToken(c.key, claims(c), { x5u: 'https://evil.test/cert.pem' }),
    /header x5u/,
  ],
  ['x5c header', (c) => accessToken(c.key, claims(c), { x5c: ['MIIB'] }), /header x5c/],
  ['crit header', (c) => accessToken(c.key, claims(c), { crit: ['exp'] }), /header crit/],
  [
    'signed by another key with the same kid',
    (c) => accessToken(c.attacker, claims(c)),
    /invalid signature/,
  ],
  [
    'tampered payload',
    (c) => {
      const [header, , signature] = accessToken(c.key, claims(c)).split('.');
      return `${header}.${b64url(claims(c, { roles: ['admin'] }))}.${signature}`;
    },
    /invalid signature/,
  ],
  [
    'expired beyond the leeway',
    (c) => accessToken(c.key, claims(c, { exp: seconds(c) - 31 })),
    /jwt expired/,
  ],
  [
    'nbf ahead beyond the leeway',
    (c) => accessToken(c.key, claims(c, { nbf: seconds(c) + 60 })),
    /jwt not active/,
  ],
  [
    'wrong iss',
    (c) => accessToken(c.key, claims(c, { iss: 'https://other.test' })),
    /issuer invalid/,
  ],
  ['wrong aud', (c) => accessToken(c.key, claims(c, { aud: 'other-api' })), /audience invalid/],
  ['wrong typ (JWT)', (c) => accessToken(c.key, claims(c), { typ: 'JWT' }), /typ is not at\+jwt/],
  ['missing typ', (c) => accessToken(c.key, claims(c), { typ: undefined }), /typ is not at\+jwt/],
  ['RS512 alg', (c) => accessToken(c.key, claims(c), { alg: 'RS512' }), /alg RS512/],
  ['no exp', (c) => accessToken(c.key, claims(c, { exp: undefined })), /exp is missing/],
  ['sub not a string', (c) => accessToken(c.key, claims(c, { sub: 42 })), /sub is missing/],
  [
    'roles not an array of strings',
    (c) => accessToken(c.key, claims(c, { roles: 'admin' })),
    /roles is not an array/,
  ],
  [
    'scope not a string',
    (c) => accessToken(c.key, claims(c, { scope: ['documents:read'] })),
    /scope is not a string/,
  ],
  ['refresh-token-shaped opaque string', () => `rt_${'A'.repeat(43)}`, /not a compact JWS/],
  ['garbage', () => 'garbage', /not a compact JWS/],
  ['three garbage segments', () => 'a.b.c', /header is not JSON/],
];
