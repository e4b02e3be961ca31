import type { RegisteredClient } from '../clients/clients.service';
import type { MockGoogle } from '../google/google.test-kit';
import { googleEnv, startMockGoogle } from '../google/google.test-kit';
import type { RunningAuthService } from '../oauth/oauth.test-kit';
import { BOOT_TIMEOUT_MS, startAuthService } from '../oauth/oauth.test-kit';
import { totpCodeAt } from '../mfa/totp';
import type { BrowserResponse } from './oidc.test-kit';
import {
  createUser,
  handRequest,
  inputValue,
  registerApp,
  TestBrowser,
  tokenRequest,
} from './oidc.test-kit';

/*
 * The sign-in page of an authorization request: however the user gets through it (a wrong
 * password first, or Google), the browser comes back to the request and the app gets its code.
 */

const CALLBACK = 'https://app.example/callback';
const USER = { email: 'hedy@example.test', password: 'hedy-password-1' };
const MFA_USER = { email: 'grace@example.test', password: 'grace-password-1' };

/** JSON to the running service, with a bearer token when given; the parsed answer. */
async function callJson(
  issuer: string,
  path: string,
  body: unknown,
  accessToken?: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${issuer}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` }),
    },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Enrols TOTP for an existing user through the API; returns one of its recovery codes. */
async function enrolTotp(issuer: string, email: string, password: string): Promise<string> {
  const { accessToken } = await callJson(issuer, '/auth/login', { email, password });
  const token = String(accessToken);
  const { secret } = await callJson(issuer, '/auth/mfa/totp', {}, token);
  const code = totpCodeAt(String(secret), Date.now());
  const { recoveryCodes } = await callJson(issuer, '/auth/mfa/totp/confirm', { code }, token);
  return (recoveryCodes as string[])[0];
}

/** The code the app's callback received, or a failure naming where the browser ended up. */
function codeAt(page: BrowserResponse): string {
  const location = new URL(page.location ?? page.url);
  const code = location.searchParams.get('code');
  if (location.href.startsWith(CALLBACK) && code !== null) return code;
  throw new Error(`ended at ${location.href} (status ${page.status}), not at the app's callback`);
}

/** The href of the "Sign in with Google" button, or undefined when the page has none. */
function googleHref(page: BrowserResponse): string | undefined {
  const match = /<a[^>]*href="([^"]*)"[^>]*>Sign in with Google<\/a>/.exec(page.body);
  return match?.[1]?.replaceAll('&amp;', '&');
}

describe('The sign-in page of an authorization request', () => {
  let google: MockGoogle;
  let service: RunningAuthService;
  let app: RegisteredClient;

  beforeAll(async () => {
    google = await startMockGoogle();
    service = await startAuthService(googleEnv(google));
    await createUser(service, USER.email, USER.password);
    app = await registerApp(service, {
      name: 'Web',
      type: 'web',
      scopes: [],
      redirectUris: [CALLBACK],
      firstParty: true,
    });
  }, BOOT_TIMEOUT_MS);
  afterAll(async () => {
    await service?.close();
    await google?.stop();
  });

  async function redeems(code: string, verifier: string): Promise<void> {
    const tokens = await tokenRequest(
      service.issuer,
      { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier },
      [app.clientId, app.clientSecret ?? ''],
    );
    expect(tokens.status).toBe(200);
  }

  /** The origins the page's forms may lead to (CSP `form-action`, applied to every redirect after). */
  function formAction(page: BrowserResponse): string {
    const csp = page.headers.get('content-security-policy') ?? '';
    return /form-action ([^;]*)/.exec(csp)?.[1] ?? '';
  }

  it("after a wrong password, shows the error on the request's own page, then comes back to it", async () => {
    const browser = new TestBrowser(service.issuer);
    const request = handRequest(service.issuer, app.clientId, CALLBACK);
    const form = await browser.get(request.url);
    expect(form.body).toContain('action="/session/login"');
    const refused = await browser.signIn(form, USER.email, 'not-the-password');
    expect(refused.status).toBe(200);
    expect(new URL(refused.url).pathname).toBe('/oauth/authorize/resume');
    expect(refused.body).toContain('That email and password do not match an account.');
    expect(refused.body).toContain(`value="${USER.email}"`);
    // A browser follows the next sign-in's redirects to the app only if the page allows it.
    expect(formAction(refused)).toBe("'self' https://app.example");
    const signedIn = await browser.signIn(refused, USER.email, USER.password);
    await redeems(codeAt(signedIn), request.verifier);
  });

  it('lets the second-factor step lead to the app, and the app gets its code', async () => {
    await createUser(service, MFA_USER.email, MFA_USER.password);
    const recoveryCode = await enrolTotp(service.issuer, MFA_USER.email, MFA_USER.password);
    const browser = new TestBrowser(service.issuer);
    const request = handRequest(service.issuer, app.clientId, CALLBACK);
    const secondStep = await browser.signIn(
      await browser.get(request.url),
      MFA_USER.email,
      MFA_USER.password,
    );
    expect(new URL(secondStep.url).pathname).toBe('/login/mfa');
    // Its form's redirects end at the app: without the app's origin a browser stops on the way.
    expect(formAction(secondStep)).toBe("'self' https://app.example");
    const csrf = inputValue(secondStep.body, '_csrf') ?? '';
    const wrong = await browser.follow(
      await browser.post('/session/login/mfa', { code: '000000', _csrf: csrf }),
    );
    expect(new URL(wrong.url).searchParams.get('error')).toBe('invalid_code');
    expect(formAction(wrong)).toBe("'self' https://app.example");
    const done = await browser.follow(
      await browser.post('/session/login/mfa', { code: recoveryCode, _csrf: csrf }),
    );
    await redeems(codeAt(done), request.verifier);
  });

  it('names no other origin for a second-factor page whose request is unknown', async () => {
    const browser = new TestBrowser(service.issuer);
    await browser.signIn(await browser.get('/login'), MFA_USER.email, MFA_USER.password);
    const next = encodeURIComponent('/oauth/authorize/resume?request=' + 'A'.repeat(43));
    const page = await browser.get(`/login/mfa?next=${next}`);
    expect(page.status).toBe(200);
    expect(formAction(page)).toBe("'self'");
  });

  it('keeps the second-factor step of a plain sign-in to this origin', async () => {
    const browser = new TestBrowser(service.issuer);
    const secondStep = await browser.signIn(
      await browser.get('/login'),
      MFA_USER.email,
      MFA_USER.password,
    );
    expect(new URL(secondStep.url).pathname).toBe('/login/mfa');
    expect(formAction(secondStep)).toBe("'self'");
  });

  it('sends a failed sign-in of the plain page back to /login, as before', async () => {
    const browser = new TestBrowser(service.issuer);
    const refused = await browser.signIn(await browser.get('/login'), USER.email, 'nope-nope-1');
    expect(refused.url).toBe(`${service.issuer}/login?error=invalid_credentials`);
    expect(formAction(refused)).toBe("'self'");
    const signedIn = await browser.signIn(refused, USER.email, USER.password);
    expect(signedIn.url).toBe(`${service.issuer}/account`);
  });

  it('offers Google, and comes back to the request after signing in with it', async () => {
    google.account = {
      sub: 'google-hedy',
      email: 'hedy.google@example.test',
      email_verified: true,
    };
    const browser = new TestBrowser(service.issuer);
    const request = handRequest(service.issuer, app.clientId, CALLBACK);
    const form = await browser.get(request.url);
    const href = googleHref(form);
    expect(href).toMatch(/^\/auth\/google\?returnTo=/);
    const started = await browser.get(href ?? '');
    expect(started.location).toMatch(new RegExp(`^${google.url}/authorize`));
    const atProvider = await fetch(started.location ?? '', { redirect: 'manual' });
    const callback = atProvider.headers.get('location') ?? '';
    expect(callback.startsWith(`${service.issuer}/auth/google/callback`)).toBe(true);
    const signedIn = await browser.follow(await browser.get(callback));
    await redeems(codeAt(signedIn), request.verifier);
  });
});
