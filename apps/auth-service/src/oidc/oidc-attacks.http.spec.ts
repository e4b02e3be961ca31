import { createServer, type Server } from 'node:http';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { RegisteredClient } from '../clients/clients.service';
import type { RunningAuthService } from '../oauth/oauth.test-kit';
import { BOOT_TIMEOUT_MS, startAuthService } from '../oauth/oauth.test-kit';
import type { BrowserResponse, HandRequest } from './oidc.test-kit';
import {
  createUser,
  handRequest,
  inputValue,
  registerApp,
  TestBrowser,
  tokenRequest,
} from './oidc.test-kit';

/*
 * RFC 9700 §4 attacks that apply to Keycard's provider, each as a request an attacker can make,
 * plus RP-initiated and back-channel logout. Every row names the rule that stops it.
 */

const CALLBACK = 'https://app.example/callback';
const USER = { email: 'grace@example.test', password: 'grace-password-1' };

interface Received {
  logoutToken: string;
}

describe('OpenID Provider: the RFC 9700 attack table and logout', () => {
  let service: RunningAuthService;
  let web: RegisteredClient;
  let other: RegisteredClient;
  let spa: RegisteredClient;
  let receiver: Server;
  const received: Received[] = [];
  let failuresToSend = 0;

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (failuresToSend > 0) {
          failuresToSend--;
          response.writeHead(500).end();
          return;
        }
        received.push({ logoutToken: new URLSearchParams(body).get('logout_token') ?? '' });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    service = await startAuthService();
    await createUser(service, USER.email, USER.password);
    const app = { scopes: [], redirectUris: [CALLBACK], firstParty: true };
    web = await registerApp(service, {
      ...app,
      name: 'Web',
      type: 'web',
      postLogoutRedirectUris: ['https://app.example/bye'],
      backchannelLogoutUri: `http://127.0.0.1:${port}/backchannel`,
    });
    other = await registerApp(service, { ...app, name: 'Other', type: 'web' });
    spa = await registerApp(service, { ...app, name: 'SPA', type: 'spa', firstParty: false });
  }, BOOT_TIMEOUT_MS);
  afterAll(async () => {
    await service?.close();
    receiver?.close();
  });

  /** Signs in through the form and returns the app's callback URL. */
  async function codeFor(browser: TestBrowser, request: HandRequest): Promise<URL> {
    let page: BrowserResponse = await browser.get(request.url);
    if (page.status === 200) page = await browser.signIn(page, USER.email, USER.password);
    if (page.location === undefined) throw new Error(`no redirect (status ${page.status})`);
    return new URL(page.location);
  }

  function redeem(
    client: RegisteredClient,
    code: string,
    verifier: string,
    redirectUri = CALLBACK,
  ) {
    const form = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    };
    return client.clientSecret === undefined
      ? tokenRequest(service.issuer, { ...form, client_id: client.clientId })
      : tokenRequest(service.issuer, form, [client.clientId, client.clientSecret]);
  }

  describe('redirect URI manipulation (§4.1): the error page, never a redirect', () => {
    it.each([
      ['a prefix', 'https://app.example/call'],
      ['a suffix', 'https://app.example/callback/evil'],
      ['path traversal', 'https://app.example/callback/../evil'],
      ['encoded traversal', 'https://app.example/callback/%2e%2e/evil'],
      ['another port', 'https://app.example:8443/callback'],
      ['another scheme', 'http://app.example/callback'],
      ['another host', 'https://evil.example/callback'],
      ['a host suffix', 'https://app.example.evil.example/callback'],
      ['an added query', 'https://app.example/callback?x=1'],
    ])('refuses %s', async (_case, redirectUri) => {
      const response = await fetch(handRequest(service.issuer, web.clientId, redirectUri).url, {
        redirect: 'manual',
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('This sign-in request cannot be used');
    });

    it('shows the page for an unknown client too', async () => {
      const response = await fetch(handRequest(service.issuer, 'nobody', CALLBACK).url, {
        redirect: 'manual',
      });
      expect(response.status).toBe(400);
    });
  });

  describe('PKCE downgrade (§4.8)', () => {
    it.each([
      ['no code_challenge', { code_challenge: undefined }],
      ['code_challenge_method=plain', { code_challenge_method: 'plain' }],
      ['no code_challenge_method', { code_challenge_method: undefined }],
    ])(
      'answers %s with invalid_request at the redirect URI, with state and iss',
      async (_case, extra) => {
        const request = handRequest(service.issuer, web.clientId, CALLBACK, extra);
        const response = await fetch(request.url, { redirect: 'manual' });
        expect(response.status).toBe(302);
        const location = new URL(response.headers.get('location') ?? '');
        expect(location.searchParams.get('error')).toBe('invalid_request');
        expect(location.searchParams.get('state')).toBe(request.state);
        expect(location.searchParams.get('iss')).toBe(service.issuer);
      },
    );
  });

  describe('code injection (§4.5) and replay', () => {
    it('refuses a code redeemed by another client, another verifier or another redirect URI, without burning it', async () => {
      const browser = new TestBrowser(service.issuer);
      const request = handRequest(service.issuer, web.clientId, CALLBACK);
      const code = (await codeFor(browser, request)).searchParams.get('code') ?? '';
      const stolen = handRequest(service.issuer, other.clientId, CALLBACK);
      expect(await redeem(other, code, request.verifier)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      expect(await redeem(web, code, stolen.verifier)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      expect(await redeem(web, code, request.verifier, 'https://app.example/other')).toMatchObject({
        status: 400,
      });
      expect(await redeem(web, code, 'short')).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      expect(await redeem(web, code, request.verifier)).toMatchObject({ status: 200 });
    });

    it('refuses a wrong secret and a web client without one', async () => {
      const request = handRequest(service.issuer, web.clientId, CALLBACK);
      const code =
        (await codeFor(new TestBrowser(service.issuer), request)).searchParams.get('code') ?? '';
      const form = {
        grant_type: 'authorization_code',
        code,
        redirect_uri: CALLBACK,
        code_verifier: request.verifier,
      };
      expect((await tokenRequest(service.issuer, form, [web.clientId, 'cs_wrong'])).status).toBe(
        401,
      );
      expect(
        (await tokenRequest(service.issuer, { ...form, client_id: web.clientId })).status,
      ).toBe(401);
    });

    it('a second redemption fails and revokes what the first issued', async () => {
      const request = handRequest(service.issuer, web.clientId, CALLBACK);
      const code =
        (await codeFor(new TestBrowser(service.issuer), request)).searchParams.get('code') ?? '';
      const first = await redeem(web, code, request.verifier);
      expect(first.status).toBe(200);
      const accessToken = String(first.body['access_token']);
      const userinfo = () =>
        fetch(`${service.issuer}/oauth/userinfo`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
      expect((await userinfo()).status).toBe(200);
      expect(await redeem(web, code, request.verifier)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
      expect((await userinfo()).status).toBe(401);
      const refresh = await tokenRequest(
        service.issuer,
        { grant_type: 'refresh_token', refresh_token: String(first.body['refresh_token']) },
        [web.clientId, web.clientSecret ?? ''],
      );
      expect(refresh.status).toBe(400);
    });
  });

  describe('mix-up (§4.4) and state (§4.7): what the client checks', () => {
    it('openid-client refuses a response whose iss is not its provider, or whose state differs', async () => {
      const config = await oidc.discovery(
        new URL(service.issuer),
        web.clientId,
        web.clientSecret,
        undefined,
        {
          execute: [oidc.allowInsecureRequests],
        },
      );
      const request = handRequest(service.issuer, web.clientId, CALLBACK);
      const callback = await codeFor(new TestBrowser(service.issuer), request);
      expect(callback.searchParams.get('iss')).toBe(service.issuer);
      const mixedUp = new URL(callback);
      mixedUp.searchParams.set('iss', 'https://attacker.example');
      const checks = {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.params['nonce'],
      };
      await expect(oidc.authorizationCodeGrant(config, mixedUp, checks)).rejects.toThrow();
      const noState = new URL(callback);
      noState.searchParams.delete('state');
      await expect(oidc.authorizationCodeGrant(config, noState, checks)).rejects.toThrow();
      await expect(oidc.authorizationCodeGrant(config, callback, checks)).resolves.toBeDefined();
    });
  });

  describe('CSRF on consent (§4.4.1.8)', () => {
    it('refuses a consent post without the session token, with a wrong one, or from another origin', async () => {
      const browser = new TestBrowser(service.issuer);
      const request = handRequest(service.issuer, spa.clientId, CALLBACK);
      const page = await browser.signIn(await browser.get(request.url), USER.email, USER.password);
      const handle = inputValue(page.body, 'request') ?? '';
      const csrf = inputValue(page.body, '_csrf') ?? '';
      expect(
        (await browser.post('/oauth/authorize/consent', { request: handle, decision: 'allow' }))
          .status,
      ).toBe(403);
      expect(
        (
          await browser.post('/oauth/authorize/consent', {
            request: handle,
            decision: 'allow',
            _csrf: 'x'.repeat(43),
          })
        ).status,
      ).toBe(403);
      const crossSite = await browser.post(
        '/oauth/authorize/consent',
        { request: handle, decision: 'allow', _csrf: csrf },
        'https://evil.example',
      );
      expect(crossSite.status).toBe(403);
      const allowed = await browser.consent(page, 'allow');
      expect(new URL(allowed.location ?? '').searchParams.get('code')).toBeTruthy();
    });
  });

  describe('CORS', () => {
    it('answers the origins of spa redirect URIs only, on the token, userinfo, revocation and well-known endpoints', async () => {
      const preflight = (path: string, origin: string) =>
        fetch(`${service.issuer}${path}`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      for (const path of ['/oauth/token', '/oauth/userinfo', '/oauth/revoke']) {
        const allowed = await preflight(path, 'https://app.example');
        expect(allowed.status).toBe(204);
        expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
        expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
        const refused = await preflight(path, 'https://evil.example');
        expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      }
      const discovery = await fetch(`${service.issuer}/.well-known/openid-configuration`, {
        headers: { origin: 'https://app.example' },
      });
      expect(discovery.headers.get('access-control-allow-origin')).toBe('https://app.example');
      const elsewhere = await fetch(`${service.issuer}/auth/me`, {
        headers: { origin: 'https://app.example' },
      });
      expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('logout', () => {
    it('refuses an unregistered post_logout_redirect_uri (open redirect)', async () => {
      const query = new URLSearchParams({
        client_id: web.clientId,
        post_logout_redirect_uri: 'https://evil.example/',
      });
      const response = await fetch(`${service.issuer}/oauth/logout?${query}`, {
        redirect: 'manual',
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    });

    it('asks for confirmation without a valid id_token_hint', async () => {
      const browser = new TestBrowser(service.issuer);
      await codeFor(browser, handRequest(service.issuer, web.clientId, CALLBACK));
      const query = new URLSearchParams({
        client_id: web.clientId,
        post_logout_redirect_uri: 'https://app.example/bye',
        state: 's1',
      });
      const page = await browser.get(`/oauth/logout?${query}&id_token_hint=not.a.token`);
      expect(page.status).toBe(200);
      expect(page.body).toContain('Sign out of Keycard?');
      const done = await browser.post('/oauth/logout', {
        _csrf: inputValue(page.body, '_csrf') ?? '',
        client_id: web.clientId,
        post_logout_redirect_uri: 'https://app.example/bye',
        state: 's1',
      });
      expect(done.location).toBe('https://app.example/bye?state=s1');
    });

    it('with an id_token_hint: ends the session and its tokens, and tells the app over the back channel (retried)', async () => {
      const browser = new TestBrowser(service.issuer);
      const request = handRequest(service.issuer, web.clientId, CALLBACK);
      const code = (await codeFor(browser, request)).searchParams.get('code') ?? '';
      const tokens = await redeem(web, code, request.verifier);
      const idToken = String(tokens.body['id_token']);
      received.length = 0;
      failuresToSend = 1;
      const query = new URLSearchParams({
        id_token_hint: idToken,
        post_logout_redirect_uri: 'https://app.example/bye',
        state: 'bye-state',
      });
      const done = await browser.get(`/oauth/logout?${query}`);
      expect(done.location).toBe('https://app.example/bye?state=bye-state');
      const refresh = await tokenRequest(
        service.issuer,
        { grant_type: 'refresh_token', refresh_token: String(tokens.body['refresh_token']) },
        [web.clientId, web.clientSecret ?? ''],
      );
      expect(refresh.status).toBe(400);
      const deadline = Date.now() + 5_000;
      while (received.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(received).toHaveLength(1);
      const jwks = createRemoteJWKSet(new URL(`${service.issuer}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(received[0].logoutToken, jwks, {
        issuer: service.issuer,
        audience: web.clientId,
        typ: 'logout+jwt',
      });
      expect(protectedHeader.typ).toBe('logout+jwt');
      expect(payload['events']).toEqual({
        'http://schemas.openid.net/event/backchannel-logout': {},
      });
      expect(payload['sid']).toBe(decodeJwt(idToken)['sid']);
      expect(payload['sub']).toBe(decodeJwt(idToken)['sub']);
      expect(payload['nonce']).toBeUndefined();
      expect(payload['jti']).toBeTruthy();
    });
  });
});
