import type { Browser, BrowserContext } from 'playwright-core';
import { OAuth2Server, type MutableResponse, type MutableToken } from 'oauth2-mock-server';
import { seriousViolations } from './browser/axe-check';
import { launchChromium, newContext, screenshot, sessionCookie } from './browser/browser-kit';
import type { Stack } from './support/stack';
import { randomSecret, startStack } from './support/stack';

async function postJson(url: string, body: unknown, bearer?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

// Real Chromium against the BUILT auth-service, with "Google" played by a real local OpenID
// provider (oauth2-mock-server, auto-approving) started in this test process.
describe('Sign in with Google in a real browser', () => {
  const account = {
    sub: 'e2e-google-sub',
    email: 'grace@example.test',
    email_verified: true,
    name: 'Grace Hopper',
  };
  let provider: OAuth2Server;
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    provider = new OAuth2Server();
    await provider.issuer.keys.generate('RS256');
    await provider.start(0, '127.0.0.1');
    const url = provider.issuer.url ?? '';
    provider.service.on('beforeUserinfo', (response: MutableResponse) => {
      response.body = { ...account };
    });
    provider.service.on('beforeTokenSigning', (token: MutableToken) => {
      token.payload['sub'] = account.sub;
    });
    stack = await startStack({
      label: 'google-signin',
      authEnv: {
        GOOGLE_CLIENT_ID: 'keycard-e2e.apps.example',
        GOOGLE_CLIENT_SECRET: 'e2e-client-secret',
        GOOGLE_AUTHORIZATION_URL: `${url}/authorize`,
        GOOGLE_TOKEN_URL: `${url}/token`,
        GOOGLE_USERINFO_URL: `${url}/userinfo`,
        GOOGLE_JWKS_URL: `${url}/jwks`,
        GOOGLE_ISSUER: url,
      },
    });
    browser = await launchChromium();
    context = await newContext(browser, stack);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await provider?.stop();
  });

  it('clicks "Sign in with Google" on /login and lands on /account signed in', async () => {
    const page = await context.newPage();
    await page.goto('/login');
    // The sign-in page with its Google button, checked like every page.
    expect(await seriousViolations(page)).toEqual([]);
    await Promise.all([
      page.waitForURL('**/account'),
      page.getByRole('link', { name: 'Sign in with Google' }).click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/account');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your account');
    expect(await page.locator('.profile').textContent()).toContain(account.email);
    expect(await sessionCookie(context)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'keycard.google')).toBeUndefined();
    await screenshot(page, 'google-account');
  }, 30_000);

  it('signs the same person in again without a second account', async () => {
    const page = await context.newPage();
    await context.clearCookies();
    await page.goto('/login');
    await Promise.all([
      page.waitForURL('**/account'),
      page.getByRole('link', { name: 'Sign in with Google' }).click(),
    ]);
    expect(await page.locator('.profile').textContent()).toContain(account.email);
  }, 30_000);

  it('never leaves the origin for a returnTo with dot segments (issue 14, finding 1)', async () => {
    // mode=code: refused before the provider, so no hand-off code can go anywhere.
    const handOff = await fetch(
      `${stack.auth.url}/auth/google?mode=code&returnTo=${encodeURIComponent('/..//evil.example/steal')}`,
      { redirect: 'manual' },
    );
    expect(handOff.status).toBe(400);
    expect(handOff.headers.get('location')).toBeNull();
    // Session mode: the whole round trip in Chromium ends on this origin's /account.
    await context.clearCookies();
    const page = await context.newPage();
    const hosts = new Set<string>();
    page.on('request', (request) => hosts.add(new URL(request.url()).host));
    await page.goto(`/auth/google?returnTo=${encodeURIComponent('/..//evil.example/phish')}`);
    await page.waitForURL('**/account');
    expect(new URL(page.url()).origin).toBe(stack.auth.url);
    expect([...hosts].filter((host) => host.includes('evil'))).toEqual([]);
  }, 30_000);

  it('does not hand an account registered by someone else to the Google user, nor the Google account to them (finding 3)', async () => {
    Object.assign(account, { sub: 'e2e-victim-sub', email: 'victim@example.test', name: 'Victim' });
    const attacker = { email: account.email, password: randomSecret(20) };
    expect((await postJson(`${stack.auth.url}/auth/register`, attacker)).status).toBe(201);

    // The victim signs in with Google: asked for the account's password, not signed in, not linked.
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto('/login');
    await Promise.all([
      page.waitForURL('**/auth/google/link'),
      page.getByRole('link', { name: 'Sign in with Google' }).click(),
    ]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Link your Google account',
    );
    expect(await sessionCookie(context)).toBeUndefined();
    await screenshot(page, 'google-link-password');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Password of this account').fill('a guess that is wrong');
    await Promise.all([
      page.waitForURL('**/auth/google/link?error=invalid_credentials'),
      page.getByRole('button', { name: 'Link and sign in' }).click(),
    ]);
    expect(await page.getByRole('alert').textContent()).toContain('Nothing was linked');
    expect(await sessionCookie(context)).toBeUndefined();

    // The attacker's password opens the attacker's account only: unverified, no Google in it.
    const login = await postJson(`${stack.auth.url}/auth/login`, attacker);
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const me = await fetch(`${stack.auth.url}/auth/me`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(await me.json()).toMatchObject({ email: attacker.email, emailVerified: false });
    // ...and the victim's next Google sign-in is still not linked to it.
    await context.clearCookies();
    await page.goto('/auth/google');
    await page.waitForURL('**/auth/google/link');
    expect(await sessionCookie(context)).toBeUndefined();
  }, 30_000);

  it('links a Google account to the own password account once its password is given', async () => {
    Object.assign(account, { sub: 'e2e-owner-sub', email: 'owner@example.test', name: 'Owner' });
    const owner = { email: account.email, password: randomSecret(20) };
    expect((await postJson(`${stack.auth.url}/auth/register`, owner)).status).toBe(201);
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto('/auth/google');
    await page.waitForURL('**/auth/google/link');
    await page.getByLabel('Password of this account').fill(owner.password);
    await Promise.all([
      page.waitForURL('**/account'),
      page.getByRole('button', { name: 'Link and sign in' }).click(),
    ]);
    expect(await page.locator('.profile').textContent()).toContain(owner.email);
    expect(await sessionCookie(context)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Linked and verified now: Google goes straight in.
    await context.clearCookies();
    await page.goto('/auth/google');
    await page.waitForURL('**/account');
  }, 30_000);
});
