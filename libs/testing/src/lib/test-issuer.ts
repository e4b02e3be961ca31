import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTestKeyPair, signRs256, type TestKeyPair } from './tokens';

/** One request the stand-in issuer received. */
export interface IssuerRequest {
  authorization?: string;
  body: string;
}

/** What the stand-in answers to `POST /oauth/introspect` for a token: a status and a JSON body. */
export type IntrospectionHandler = (token: string) => { status: number; body: unknown };

/**
 * A stand-in auth-service on 127.0.0.1, for every spec that needs an issuer: a discovery document
 * (`jwks_uri`, `introspection_endpoint`), the JWKS, `POST /oauth/introspect` answered by `handler`
 * (by default from `apiKeys`), `POST /api-keys/usage-reports`, and `token()` to mint its access
 * tokens. Every field may be changed while it runs; every request is counted or recorded.
 */
export interface TestIssuer {
  /** `http://127.0.0.1:port` */
  url: string;
  /** The announced issuer (`iss` of `token()`); defaults to `url`. */
  issuer: string;
  /** The key `token()` signs with (published in `keys` unless replaced). */
  key: TestKeyPair;
  /** The JWKs served at `/.well-known/jwks.json`. */
  keys: Record<string, unknown>[];
  /** The announced `jwks_uri`; defaults to `${issuer}/.well-known/jwks.json`. */
  jwksUri?: string;
  /** `Cache-Control` of the JWKS (none when undefined). */
  cacheControl?: string;
  /** An access token of `issuer` for `audience` (`typ: at+jwt`, 15 minutes) with `claims`. */
  token(claims: Record<string, unknown>, header?: Record<string, unknown>): string;
  /** Introspection answers by API key for the default `handler`; any other is `{active: false}`. */
  apiKeys: Map<string, Record<string, unknown>>;
  handler: IntrospectionHandler;
  /** Milliseconds to wait before answering an introspection (for concurrency tests). */
  delayMs: number;
  usageStatus: number;
  /** Statuses for the next usage reports, in order, before `usageStatus` applies again. */
  usageStatuses: number[];
  discoveryHits: number;
  jwksHits: number;
  introspections: IssuerRequest[];
  usageReports: IssuerRequest[];
  close(): Promise<void>;
}

export interface TestIssuerOptions {
  /** `aud` of `token()`; default `keycard`. */
  audience?: string;
  /** The announced issuer; default the server's own URL. */
  issuer?: string;
  /** Key pairs to publish (the first signs `token()`); default one fresh pair named `kid`. */
  keys?: TestKeyPair[];
  kid?: string;
  /** `Cache-Control` of the JWKS; default `public, max-age=300` like the auth-service's. */
  cacheControl?: string | null;
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

type Reply = [status: number, body: unknown, headers?: Record<string, string>];

async function answer(state: TestIssuer, method: string, path: string, received: IssuerRequest) {
  if (method === 'GET' && path === '/.well-known/openid-configuration') {
    state.discoveryHits++;
    const document = {
      issuer: state.issuer,
      jwks_uri: state.jwksUri ?? `${state.issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${state.issuer}/oauth/introspect`,
    };
    return [200, document] satisfies Reply;
  }
  if (method === 'GET' && path === '/.well-known/jwks.json') {
    state.jwksHits++;
    const headers = state.cacheControl ? { 'cache-control': state.cacheControl } : undefined;
    return [200, { keys: state.keys }, headers] satisfies Reply;
  }
  if (method === 'POST' && path === '/oauth/introspect') {
    state.introspections.push(received);
    if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    const { status, body } = state.handler(new URLSearchParams(received.body).get('token') ?? '');
    return [status, body] satisfies Reply;
  }
  if (method === 'POST' && path === '/api-keys/usage-reports') {
    state.usageReports.push(received);
    return [state.usageStatuses.shift() ?? state.usageStatus, undefined] satisfies Reply;
  }
  return [404, { error: 'not found' }] satisfies Reply;
}

function mint(state: TestIssuer, audience: string): TestIssuer['token'] {
  return (claims, header = {}) => {
    const iat = Math.floor(Date.now() / 1000);
    const payload = { iss: state.issuer, aud: audience, iat, exp: iat + 900, roles: [], scope: '' };
    const head = { alg: 'RS256', typ: 'at+jwt', kid: state.key.kid, ...header };
    return signRs256(head, { ...payload, ...claims }, state.key.privateKey);
  };
}

/** Starts a `TestIssuer` on a free port of 127.0.0.1. */
export async function startTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const key = options.keys?.[0] ?? makeTestKeyPair(options.kid ?? 'test-issuer-key');
  const state: TestIssuer = {
    url: '',
    issuer: options.issuer ?? '',
    key,
    keys: (options.keys ?? [key]).map((pair) => pair.jwk),
    cacheControl:
      options.cacheControl === undefined
        ? 'public, max-age=300'
        : (options.cacheControl ?? undefined),
    token: () => '',
    apiKeys: new Map(),
    handler: (token) => ({ status: 200, body: state.apiKeys.get(token) ?? { active: false } }),
    delayMs: 0,
    usageStatus: 204,
    usageStatuses: [],
    discoveryHits: 0,
    jwksHits: 0,
    introspections: [],
    usageReports: [],
    close: async () => undefined,
  };
  state.token = mint(state, options.audience ?? 'keycard');
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const received = {
      authorization: request.headers.authorization,
      body: await readBody(request),
    };
    const [status, body, headers] = await answer(
      state,
      request.method ?? '',
      request.url ?? '',
      received,
    );
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body === undefined ? '' : JSON.stringify(body));
  };
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.issuer ||= state.url;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
