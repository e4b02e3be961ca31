import { makeTestKeyPair, signRs256, TestKeyPair } from '@keycard/testing';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in issuer on 127.0.0.1: discovery document, JWKS, a way to mint its access tokens, and
 * the two endpoints a resource-service calls for API keys (introspection and usage reports).
 */
export interface TestIssuer {
  url: string;
  key: TestKeyPair;
  token(claims: Record<string, unknown>): string;
  /** Introspection answers by API key; any other token is `{active: false}`. */
  apiKeys: Map<string, Record<string, unknown>>;
  /** How many introspection requests arrived. */
  introspections: number;
  /** Bodies of the usage reports received. */
  usageReports: unknown[];
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

export async function startTestIssuer(audience = 'keycard'): Promise<TestIssuer> {
  const key = makeTestKeyPair('resource-test-key');
  let url = '';
  const apiKeys = new Map<string, Record<string, unknown>>();
  const usageReports: unknown[] = [];
  let introspections = 0;
  const answer = async (request: IncomingMessage): Promise<unknown> => {
    const text = await readBody(request);
    if (request.url === '/oauth/introspect') {
      introspections++;
      return apiKeys.get(new URLSearchParams(text).get('token') ?? '') ?? { active: false };
    }
    if (request.url === '/api-keys/usage-reports') usageReports.push(JSON.parse(text));
    return undefined;
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const documents: Record<string, unknown> = {
      '/.well-known/openid-configuration': {
        issuer: url,
        jwks_uri: `${url}/.well-known/jwks.json`,
        introspection_endpoint: `${url}/oauth/introspect`,
      },
      '/.well-known/jwks.json': { keys: [key.jwk] },
    };
    const body = request.method === 'POST' ? await answer(request) : documents[request.url ?? ''];
    if (body === undefined) {
      response.writeHead(request.method === 'POST' ? 204 : 404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'public, max-age=300',
    });
    response.end(JSON.stringify(body));
  };
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    key,
    apiKeys,
    get introspections() {
      return introspections;
    },
    usageReports,
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
