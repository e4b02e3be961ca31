import type { Browser, BrowserContext } from 'playwright-core';
import { OAuth2Server, type MutableResponse, type MutableToken } from 'oauth2-mock-server';
import { launchChromium, newContext, screenshot, sessionCookie } from './browser/browser-kit';
import { Stack, startStack } from './support/stack';

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
});
