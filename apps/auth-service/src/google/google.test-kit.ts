import { createServer } from 'node:net';
import type { Response } from 'supertest';
import request from 'supertest';
import { OAuth2Server, type MutableResponse, type MutableToken } from 'oauth2-mock-server';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import { cookiePair, setCookieFor } from '../sessions/sessions.test-kit';
import { GOOGLE_STATE_COOKIE } from './google.controller';

/*
 * Test-only: a REAL local OpenID provider (oauth2-mock-server on 127.0.0.1, port 0) standing in
 * for Google, and the steps of the browser's round trip through it. Not imported by the app.
 */

export const CLIENT_ID = 'keycard-test.apps.example';
export const ALLOWED_APP = 'https://app.example.test';

/** What the provider says about the signed-in account (userinfo and the ID token's `sub`). */
export interface MockAccount {
  sub: string;
  email?: string;
  email_verified?: unknown;
  name?: string;
}

export interface MockGoogle {
  server: OAuth2Server;
  url: string;
  account: MockAccount;
  /** Applied to the next ID token only (then cleared): to forge a wrong nonce, aud or iss. */
  tamperIdToken?: (payload: MutableToken['payload']) => void;
  stop(): Promise<void>;
}

export async function startMockGoogle(): Promise<MockGoogle> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  const url = server.issuer.url;
  if (!url) throw new Error('the mock provider has no issuer URL');
  const mock: MockGoogle = {
    server,
    url,
    account: { sub: 'google-sub-1', email: 'ada@example.test', email_verified: true, name: 'Ada' },
    stop: () => server.stop(),
  };
  server.service.on('beforeUserinfo', (response: MutableResponse) => {
    response.body = { ...mock.account };
  });
  server.service.on('beforeTokenSigning', (token: MutableToken) => {
    token.payload['sub'] = mock.account.sub;
    // The ID token is the one without `amr` (the mock adds it to access tokens only).
    if (!('amr' in token.payload) && mock.tamperIdToken) {
      mock.tamperIdToken(token.payload);
      mock.tamperIdToken = undefined;
    }
  });
  return mock;
}

/** The auth-service settings that point the Google flow at the mock. */
export function googleEnv(
  mock: Pick<MockGoogle, 'url'>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    GOOGLE_CLIENT_ID: CLIENT_ID,
    GOOGLE_CLIENT_SECRET: 'mock-client-secret',
    GOOGLE_AUTHORIZATION_URL: `${mock.url}/authorize`,
    GOOGLE_TOKEN_URL: `${mock.url}/token`,
    GOOGLE_USERINFO_URL: `${mock.url}/userinfo`,
    GOOGLE_JWKS_URL: `${mock.url}/jwks`,
    GOOGLE_ISSUER: mock.url,
    GOOGLE_RETURN_TO_ALLOWLIST: `${ALLOWED_APP},http://localhost:5173/auth/done`,
    ...extra,
  };
}

export interface Started {
  location: URL;
  /** `keycard.google=<state>` for the Cookie header. */
  stateCookie: string;
  stateCookieLine: string;
}

export async function startGoogle(t: SessionTestApp, query = ''): Promise<Started> {
  const response = await request(t.http).get(`/auth/google${query}`).expect(302);
  const line = setCookieFor(response, GOOGLE_STATE_COOKIE);
  if (!line) throw new Error('no state cookie');
  return {
    location: new URL(response.headers['location'] as string),
    stateCookie: cookiePair(line),
    stateCookieLine: line,
  };
}

/** The provider's consent step: a plain GET that the mock auto-approves; returns the callback URL. */
export async function authorize(location: URL): Promise<URL> {
  const response = await fetch(location, { redirect: 'manual' });
  const target = response.headers.get('location');
  if (response.status !== 302 || !target) throw new Error(`authorize answered ${response.status}`);
  return new URL(target);
}

export function callback(t: SessionTestApp, url: URL, cookie?: string): request.Test {
  const call = request(t.http).get(`${url.pathname}${url.search}`);
  return cookie ? call.set('Cookie', cookie) : call;
}

export interface Completed extends Started {
  callbackUrl: URL;
  response: Response;
}

/** The whole browser round trip: start, consent at the provider, callback with the state cookie. */
export async function googleSignIn(t: SessionTestApp, query = ''): Promise<Completed> {
  const started = await startGoogle(t, query);
  const callbackUrl = await authorize(started.location);
  const response = await callback(t, callbackUrl, started.stateCookie);
  return { ...started, callbackUrl, response };
}

/** A port on 127.0.0.1 where nothing listens (a provider that is down). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}
