import { sign } from 'node:crypto';
import type { TestKeyPair } from './keycard-testing';
import { b64url, respellings, signHs256, signRs256, unsignedToken } from './keycard-testing';
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

/**
 * `value` with a `pad` member making its JSON 1 more than a multiple of 3 bytes (4 spare bits in
 * its base64url), and a `note` of five `?`, whose base64url always holds a `_`.
 */
function withSpareBits(value: Record<string, unknown>): Record<string, unknown> {
  for (let pad = ''; ; pad += 'x') {
    const padded = { ...value, note: '?????', pad };
    if (Buffer.byteLength(JSON.stringify(padded)) % 3 === 1) return padded;
  }
}

/** The standard base64 alphabet instead of base64url (`+` for `-`, `/` for `_`), unpadded. */
const standardAlphabet = (segment: string) => segment.replace(/-/g, '+').replace(/_/g, '/');

/** A genuine token whose signature holds a `-` or `_`, written in the standard alphabet. */
function standardAlphabetSignature(c: RejectionContext): string {
  for (let attempt = 0; ; attempt++) {
    const [header, payload, signature] = accessToken(c.key, claims(c, { attempt })).split('.');
    if (/[-_]/.test(signature)) return `${header}.${payload}.${standardAlphabet(signature)}`;
  }
}

/** Signed with the trusted key over segments spelled by hand: only the spelling is wrong. */
function signSpelled(c: RejectionContext, header: string, payload: string): string {
  const input = `${header}.${payload}`;
  return `${input}.${sign('sha256', Buffer.from(input), c.key.privateKey).toString('base64url')}`;
}

/**
 * A valid token (header and payload with spare bits) with its segment `index` (0 header, 1
 * payload, 2 signature) respelled by `respell`; `(s) => s` gives the canonical, accepted token.
 */
export function respelled(
  index: 0 | 1 | 2,
  respell: (segment: string) => string,
): (c: RejectionContext) => string {
  return (c) => {
    const header = { alg: 'RS256', typ: 'at+jwt', kid: c.key.kid };
    const segments = [b64url(withSpareBits(header)), b64url(withSpareBits(claims(c)))];
    if (index < 2) {
      segments[index] = respell(segments[index]);
      return signSpelled(c, segments[0], segments[1]);
    }
    const token = signSpelled(c, segments[0], segments[1]);
    const cut = token.lastIndexOf('.');
    return `${token.slice(0, cut)}.${respell(token.slice(cut + 1))}`;
  };
}

const NON_CANONICAL = /non-canonical base64url/;

/**
 * Each valid token in other spellings of the same bytes: the 15 other spellings of an RS256
 * signature's last character, respelled header and payload (signed over that spelling), padding
 * and the standard base64 alphabet. Decoders accept them all; the verifier must not. (`=` inside a
 * token is already refused as a malformed bearer credential, before any verification.)
 */
const RESPELLED_TOKENS: RejectedToken[] = [
  ...Array.from(
    { length: 15 },
    (_, i): RejectedToken => [
      `signature respelled: spare bits ${i + 1} of 15`,
      respelled(2, (signature) => respellings(signature)[i]),
      NON_CANONICAL,
    ],
  ),
  [
    'header respelled: spare bits set',
    respelled(0, (header) => respellings(header)[14]),
    NON_CANONICAL,
  ],
  [
    'payload respelled: spare bits set',
    respelled(1, (payload) => respellings(payload)[0]),
    NON_CANONICAL,
  ],
  ['signature padded with ==', respelled(2, (signature) => `${signature}==`), NON_CANONICAL],
  ['payload in the standard base64 alphabet', respelled(1, standardAlphabet), NON_CANONICAL],
  ['signature in the standard base64 alphabet', standardAlphabetSignature, NON_CANONICAL],
];

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
  ...RESPELLED_TOKENS,
];
