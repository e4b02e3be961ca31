import { signRs256, TestKeyPair } from './keycard-testing';
import type { KeyObject } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyResolver } from '../lib/options';

export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'keycard';

/** Claims of a valid user access token, `now` in epoch ms. */
export function userClaims(
  now: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const iat = Math.floor(now / 1000);
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-1',
    iat,
    exp: iat + 900,
    jti: `jti-${Math.random().toString(36).slice(2)}`,
    roles: ['user'],
    scope: 'documents:read',
    sid: 'sid-1',
    ...overrides,
  };
}

export function accessToken(
  key: TestKeyPair,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  return signRs256(
    { alg: 'RS256', typ: 'at+jwt', kid: key.kid, ...header },
    claims,
    key.privateKey,
  );
}

/** An in-memory key set: counts lookups and can drop keys (notifying listeners like a JWKS refresh). */
export class StaticKeyResolver implements KeyResolver {
  lookups = 0;
  private readonly keys = new Map<string, KeyObject>();
  private readonly listeners: ((kids: string[]) => void)[] = [];

  constructor(...pairs: TestKeyPair[]) {
    for (const pair of pairs) this.keys.set(pair.kid, pair.publicKey);
  }

  async getKey(kid: string): Promise<KeyObject | undefined> {
    this.lookups++;
    return this.keys.get(kid);
  }

  onKeysRemoved(listener: (kids: string[]) => void): void {
    this.listeners.push(listener);
  }

  remove(kid: string): void {
    this.keys.delete(kid);
    this.listeners.forEach((listener) => listener([kid]));
  }
}

export interface JwksServer {
  /** `http://127.0.0.1:port` */
  url: string;
  /** The issuer announced by the discovery document; defaults to `url`. */
  issuer: string;
  /** JWKs served at /jwks.json. */
  keys: Record<string, unknown>[];
  /** Announced jwks_uri; defaults to `${issuer}/jwks.json`. */
  jwksUri?: string;
  cacheControl?: string;
  discoveryHits: number;
  jwksHits: number;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 serving a discovery document and a JWKS. */
export async function startJwksServer(
  pairs: TestKeyPair[] = [],
  issuer?: string,
): Promise<JwksServer> {
  const state: JwksServer = {
    url: '',
    issuer: issuer ?? '',
    keys: pairs.map((pair) => pair.jwk),
    discoveryHits: 0,
    jwksHits: 0,
    close: async () => undefined,
  };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/.well-known/openid-configuration') {
      state.discoveryHits++;
      return send(200, {
        issuer: state.issuer,
        jwks_uri: state.jwksUri ?? `${state.issuer}/jwks.json`,
      });
    }
    if (request.url === '/jwks.json') {
      state.jwksHits++;
      return send(
        200,
        { keys: state.keys },
        state.cacheControl ? { 'cache-control': state.cacheControl } : {},
      );
    }
    return send(404, { error: 'not found' });
  });
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

/** Freezes `Date` (only) at `now`, so jsonwebtoken and the cache see a controlled time while I/O timers stay real. */
export function freezeDate(now: number): void {
  jest.useFakeTimers({
    now,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}
