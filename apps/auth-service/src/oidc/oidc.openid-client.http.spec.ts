import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { RegisteredClient } from '../clients/clients.service';
import type { RunningAuthService } from '../oauth/oauth.test-kit';
import { BOOT_TIMEOUT_MS, startAuthService } from '../oauth/oauth.test-kit';
import { createUser, registerApp, TestBrowser } from './oidc.test-kit';

/*
 * End to end with a real relying party: openid-client 6 with its defaults (discovery, PKCE,
 * state/nonce checks, ID-token validation, iss of RFC 9207) against the whole auth-service,
 * the sign-in form posted by a cookie-keeping browser.
 */

const CALLBACK = 'http://127.0.0.1:8400/callback';
const USER = { email: 'ada@example.test', password: 'ada-password-1' };

describe('OpenID Provider with openid-client', () => {
  let service: RunningAuthService;
  let web: RegisteredClient;
  let spa: RegisteredClient;
  let thirdParty: RegisteredClient;
  let userId: string;

  beforeAll(async () => {
    service = await startAuthService();
    userId = await createUser(service, USER.email, USER.password);
    const app = { scopes: ['documents:read'], redirectUris: [CALLBACK] };
    web = await registerApp(service, { ...app, name: 'Web app', type: 'web', firstParty: true });
    spa = await registerApp(service, { ...app, name: 'SPA', type: 'spa', firstParty: true });
    thirdParty = await registerApp(service, { ...app, name: 'Elsewhere', type: 'web' });
  }, BOOT_TIMEOUT_MS);
  afterAll(() => service?.close());

  function discover(client: RegisteredClient): Promise<oidc.Configuration> {
    const auth = client.clientSecret === undefined ? oidc.None() : undefined;
    return oidc.discovery(new URL(service.issuer), client.clientId, client.clientSecret, auth, {
      execute: [oidc.allowInsecureRequests],
    });
  }

  interface Attempt {
    url: URL;
    verifier: string;
    state: string;
    nonce: string;
  }

  async function authorizationUrl(
    config: oidc.Configuration,
    extra: Record<string, string> = {},
  ): Promise<Attempt> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email profile offline_access documents:read',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    return { url, verifier, state, nonce };
  }

  function exchange(config: oidc.Configuration, attempt: Attempt, callback: string) {
    return oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: attempt.verifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
    });
  }

  async function signInAndGetCallback(
    config: oidc.Configuration,
    browser: TestBrowser,
    extra: Record<string, string> = {},
  ): Promise<{ attempt: Attempt; callback: string }> {
    const attempt = await authorizationUrl(config, extra);
    const page = await browser.follow(await browser.get(attempt.url.href));
    const done = page.status === 200 ? await browser.signIn(page, USER.email, USER.password) : page;
    if (done.location === undefined || !done.location.startsWith(CALLBACK)) {
      throw new Error(`expected the callback, got ${done.status} ${done.location ?? ''}`);
    }
    return { attempt, callback: done.location };
  }

  it('discovers the provider: openid-client accepts the metadata', async () => {
    const metadata = (await discover(web)).serverMetadata();
    expect(metadata).toMatchObject({
      authorization_endpoint: `${service.issuer}/oauth/authorize`,
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
  });

  it('signs a user in to a confidential web app: code, ID token, userinfo, refresh', async () => {
    const config = await discover(web);
    const { attempt, callback } = await signInAndGetCallback(
      config,
      new TestBrowser(service.issuer),
    );
    const tokens = await exchange(config, attempt, callback);
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      iss: service.issuer,
      sub: userId,
      aud: web.clientId,
      email: USER.email,
      email_verified: false,
      name: 'Ada Lovelace',
      amr: ['pwd'],
    });
    expect(typeof claims?.auth_time).toBe('number');
    expect(claims?.sid).toBe(decodeJwt(tokens.access_token)['sid']);
    const jwks = createRemoteJWKSet(new URL(`${service.issuer}/.well-known/jwks.json`));
    await jwtVerify(tokens.id_token ?? '', jwks, {
      issuer: service.issuer,
      audience: web.clientId,
    });
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      client_id: web.clientId,
      aud: 'keycard',
    });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, userId);
    expect(info).toEqual({
      sub: userId,
      email: USER.email,
      email_verified: false,
      name: 'Ada Lovelace',
    });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  });

  it('signs a user in to a public SPA client (no secret) and refreshes with its client_id alone', async () => {
    const config = await discover(spa);
    const { attempt, callback } = await signInAndGetCallback(
      config,
      new TestBrowser(service.issuer),
    );
    const tokens = await exchange(config, attempt, callback);
    expect(tokens.claims()?.aud).toBe(spa.clientId);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.access_token).toBeTruthy();
  });

  it('gives no refresh token without offline_access', async () => {
    const config = await discover(web);
    const browser = new TestBrowser(service.issuer);
    const { attempt, callback } = await signInAndGetCallback(config, browser, { scope: 'openid' });
    const tokens = await exchange(config, attempt, callback);
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.claims()?.email).toBeUndefined();
  });

  it('prompt=none: login_required without a session, a code with one', async () => {
    const config = await discover(web);
    const browser = new TestBrowser(service.issuer);
    const none = await authorizationUrl(config, { prompt: 'none' });
    const refused = await browser.get(none.url.href);
    expect(refused.status).toBe(302);
    const url = new URL(refused.location ?? '');
    expect(url.searchParams.get('error')).toBe('login_required');
    expect(url.searchParams.get('state')).toBe(none.state);
    expect(url.searchParams.get('iss')).toBe(service.issuer);
    await expect(exchange(config, none, refused.location ?? '')).rejects.toThrow();

    await signInAndGetCallback(config, browser);
    const silent = await authorizationUrl(config, { prompt: 'none' });
    const answered = await browser.get(silent.url.href);
    const tokens = await exchange(config, silent, answered.location ?? '');
    expect(tokens.claims()?.sub).toBe(userId);
  });

  it('max_age=0 asks a signed-in user to sign in again, and auth_time moves', async () => {
    const config = await discover(web);
    const browser = new TestBrowser(service.issuer);
    await signInAndGetCallback(config, browser);
    const again = await authorizationUrl(config, { max_age: '0' });
    const page = await browser.get(again.url.href);
    expect(page.status).toBe(200);
    expect(page.body).toContain('action="/session/login"');
    const done = await browser.signIn(page, USER.email, USER.password);
    const tokens = await exchange(config, again, done.location ?? '');
    expect(tokens.claims()?.auth_time).toBeDefined();
  });

  it("asks for a third-party app's consent once, remembers it, and denies with access_denied", async () => {
    const config = await discover(thirdParty);
    const browser = new TestBrowser(service.issuer);
    const first = await authorizationUrl(config);
    const signedIn = await browser.signIn(
      await browser.get(first.url.href),
      USER.email,
      USER.password,
    );
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toContain('Allow Elsewhere?');
    const denied = await browser.consent(signedIn, 'deny');
    expect(new URL(denied.location ?? '').searchParams.get('error')).toBe('access_denied');

    const second = await authorizationUrl(config, { prompt: 'none' });
    const noConsent = await browser.get(second.url.href);
    expect(new URL(noConsent.location ?? '').searchParams.get('error')).toBe('consent_required');

    const third = await authorizationUrl(config);
    const asked = await browser.get(third.url.href);
    const allowed = await browser.consent(asked, 'allow');
    await exchange(config, third, allowed.location ?? '');

    const fourth = await authorizationUrl(config, { prompt: 'none' });
    const remembered = await browser.get(fourth.url.href);
    await expect(exchange(config, fourth, remembered.location ?? '')).resolves.toBeDefined();
  });
});
