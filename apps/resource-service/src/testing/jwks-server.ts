import { makeTestKeyPair, signRs256, TestKeyPair } from '@keycard/testing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stand-in issuer on 127.0.0.1: discovery document, JWKS, and a way to mint its access tokens. */
export interface TestIssuer {
  url: string;
  key: TestKeyPair;
  token(claims: Record<string, unknown>): string;
  close(): Promise<void>;
}

export async function startTestIssuer(audience = 'keycard'): Promise<TestIssuer> {
  const key = makeTestKeyPair('resource-test-key');
  let url = '';
  const server = createServer((request, response) => {
    const documents: Record<string, unknown> = {
      '/.well-known/openid-configuration': {
        issuer: url,
        jwks_uri: `${url}/.well-known/jwks.json`,
      },
      '/.well-known/jwks.json': { keys: [key.jwk] },
    };
    const body = documents[request.url ?? ''];
    response.writeHead(body ? 200 : 404, {
      'content-type': 'application/json',
      'cache-control': 'public, max-age=300',
    });
    response.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    key,
    token: (claims) => {
      const iat = Math.floor(Date.now() / 1000);
      const payload = {
        iss: url,
        aud: audience,
        iat,
        exp: iat + 900,
        roles: [],
        scope: '',
        ...claims,
      };
      return signRs256({ alg: 'RS256', typ: 'at+jwt', kid: key.kid }, payload, key.privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
