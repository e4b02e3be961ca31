import { createPublicKey, verify } from 'node:crypto';
import {
  bearer,
  makeTestKeyPair,
  mintAccessToken,
  respellings,
  signHs256,
  signRs256,
  unsignedToken,
} from './tokens';

function parts(token: string): [Record<string, unknown>, Record<string, unknown>, string] {
  const [header, payload, signature] = token.split('.');
  const decode = (text: string) => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  return [decode(header), decode(payload), signature];
}

describe('test token helpers', () => {
  const pair = makeTestKeyPair('kid-1');

  it('publishes a public RSA JWK with kid, use and alg, and no private part', () => {
    expect(pair.jwk).toMatchObject({ kty: 'RSA', kid: 'kid-1', use: 'sig', alg: 'RS256' });
    expect(pair.jwk).not.toHaveProperty('d');
    const fromJwk = createPublicKey({ key: pair.jwk as never, format: 'jwk' });
    expect(fromJwk.export({ format: 'pem', type: 'spki' })).toEqual(
      pair.publicKey.export({ format: 'pem', type: 'spki' }),
    );
  });

  it('signs RS256 tokens that verify with the public key', () => {
    const token = signRs256({ alg: 'RS256', kid: 'kid-1' }, { sub: 'u1' }, pair.privateKey);
    const [header, payload, signature] = parts(token);
    expect(header).toEqual({ alg: 'RS256', kid: 'kid-1' });
    expect(payload).toEqual({ sub: 'u1' });
    const input = token.slice(0, token.lastIndexOf('.'));
    expect(
      verify('sha256', Buffer.from(input), pair.publicKey, Buffer.from(signature, 'base64url')),
    ).toBe(true);
  });

  it('builds HS256 and unsigned tokens for the attacks they stand for', () => {
    const hs = signHs256({ alg: 'HS256' }, { sub: 'u1' }, 'secret');
    expect(parts(hs)[2]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const none = unsignedToken({ sub: 'u1' });
    expect(none.endsWith('.')).toBe(true);
    expect(parts(none)[0]).toMatchObject({ alg: 'none' });
  });

  it('respells a segment into every other spelling of the same bytes', () => {
    for (const length of [1, 2, 3, 256]) {
      const segment = Buffer.alloc(length, 0xa5).toString('base64url');
      const twins = respellings(segment);
      expect(twins).toHaveLength([0, 15, 3][length % 3]);
      expect(new Set(twins).size).toBe(twins.length);
      for (const twin of twins) {
        expect(twin).not.toBe(segment);
        expect(Buffer.from(twin, 'base64url').equals(Buffer.from(segment, 'base64url'))).toBe(true);
      }
    }
  });
  it('mints an access token like the auth-service: at+jwt, fresh jti, iat from now, exp after ttl', () => {
    const claims = { iss: 'http://issuer.test', aud: 'keycard', sub: 'u1', roles: ['admin'] };
    const token = mintAccessToken(pair, claims, { now: 1_000_500, ttlSeconds: 60 });
    const [header, payload, signature] = parts(token);
    expect(header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: 'kid-1' });
    expect(payload).toMatchObject({ ...claims, scope: '', iat: 1000, exp: 1060 });
    expect(payload['jti']).not.toBe(parts(mintAccessToken(pair, claims))[1]['jti']);
    const input = Buffer.from(token.slice(0, token.lastIndexOf('.')));
    expect(verify('sha256', input, pair.publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(bearer(pair, claims)).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });
});
