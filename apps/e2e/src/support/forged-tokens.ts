import type { JsonWebKey } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import {
  makeTestKeyPair,
  respellings,
  signHs256,
  signRs256,
  unsignedToken,
} from '@keycard/testing';
import { decodeJwt } from './http';

/**
 * Tokens no honest issuer makes, each built at run time from a genuine access token (its claims
 * and kid) and the public JWK of its signing key. Every one must be refused with 401.
 */
export function forgeTokens(genuine: string, publicJwk: JsonWebKey): [string, string][] {
  const { header, payload } = decodeJwt(genuine);
  const kid = String(header['kid']);
  const foreign = makeTestKeyPair('attacker');
  const publicPem = createPublicKey({ key: publicJwk, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  });
  const [genuineHeader, genuinePayload, genuineSignature] = genuine.split('.');
  const escalated = {
    ...JSON.parse(Buffer.from(genuinePayload, 'base64url').toString()),
    roles: ['admin'],
  };
  const rs256 = { alg: 'RS256', typ: 'at+jwt' };
  return [
    ['alg: none', unsignedToken(payload, { kid })],
    [
      'HS256 keyed with the public key PEM (algorithm confusion)',
      signHs256({ alg: 'HS256', typ: 'at+jwt', kid }, payload, publicPem),
    ],
    [
      'RS256 signed by a foreign key under the genuine kid',
      signRs256({ ...rs256, kid }, payload, foreign.privateKey),
    ],
    [
      'RS256 with an unknown kid',
      signRs256({ ...rs256, kid: 'e2e-unknown-kid' }, payload, foreign.privateKey),
    ],
    [
      'RS256 with the signing key embedded as a jwk header',
      signRs256({ ...rs256, kid: foreign.kid, jwk: foreign.jwk }, payload, foreign.privateKey),
    ],
    [
      'RS256 with a jku header pointing elsewhere',
      signRs256(
        { ...rs256, kid: foreign.kid, jku: 'http://127.0.0.1:9/jwks.json' },
        payload,
        foreign.privateKey,
      ),
    ],
    [
      'genuine signature over tampered claims (roles: admin)',
      `${genuineHeader}.${Buffer.from(JSON.stringify(escalated)).toString('base64url')}.${genuineSignature}`,
    ],
    // The same signature bytes spelled another way (spare bits of the last character set).
    ...respellings(genuineSignature).map((signature, i): [string, string] => [
      `genuine token with its signature respelled (${i + 1} of 15)`,
      `${genuineHeader}.${genuinePayload}.${signature}`,
    ]),
  ];
}
