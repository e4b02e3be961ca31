import type { Browser, BrowserContext, Page } from 'playwright-core';
import { login, registerUser } from '../support/api';
import type { Stack } from '../support/stack';
import { startStack } from '../support/stack';
import { seriousViolations } from './axe-check';
import { launchChromium, newContext, PHONE, screenshot, signInWithForm } from './browser-kit';

const LAPTOP = { width: 1280, height: 800 };
const VIEWPORTS = [
  ['1280', LAPTOP],
  ['390', PHONE],
] as const;

// A newcomer's first pages in Chromium against the BUILT auth-service: the landing page, the
// sign-up form, a failed sign-in that keeps the address, and the API explorer's "Authorize".
describe('The first ten minutes in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack({ label: 'browser-first-minutes' });
    browser = await launchChromium();
  }, 60_000);

  beforeEach(async () => {
    context = await newContext(browser, stack, LAPTOP);
    page = await context.newPage();
  });

  afterEach(() => context?.close());

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it.each(VIEWPORTS)(
    'the landing, sign-up and sign-in pages have no serious accessibility violation at %s px',
    async (width, viewport) => {
      await page.setViewportSize(viewport);
      for (const [path, name] of [
        ['/', 'landing'],
        ['/signup', 'signup'],
        ['/login', 'login'],
      ] as const) {
        await page.goto(path);
        await screenshot(page, `${name}-${width}`);
        expect({ path, violations: await seriousViolations(page) }).toEqual({
          path,
          violations: [],
        });
      }
    },
    60_000,
  );

  it.each(VIEWPORTS)(
    'the account, account-e-mail and error pages have no serious violation at %s px',
    async (width, viewport) => {
      const user = await registerUser(stack, 'Ada Lovelace');
      await page.setViewportSize(viewport);
      for (const [path, name] of [
        ['/forgot-password', 'forgot-password'],
        ['/reset-password?token=not-a-real-token', 'reset-password'],
        ['/verify-email?token=not-a-real-token', 'verify-email'],
      ] as const) {
        await page.goto(path);
        await screenshot(page, `${name}-${width}`);
        expect({ path, violations: await seriousViolations(page) }).toEqual({
          path,
          violations: [],
        });
      }
      await signInWithForm(page, user.email, user.password);
      await screenshot(page, `account-${width}`);
      expect({ path: '/account', violations: await seriousViolations(page) }).toEqual({
        path: '/account',
        violations: [],
      });
      // The error page, as a signed-in user without the admin role sees the console.
      const refused = await page.goto('/admin');
      expect(refused?.status()).toBe(403);
      await screenshot(page, `error-403-${width}`);
      expect({ path: '/admin', violations: await seriousViolations(page) }).toEqual({
        path: '/admin',
        violations: [],
      });
    },
    60_000,
  );

  it('rotates a key on /account, then revokes the old one after confirming', async () => {
    const user = await registerUser(stack, 'Grace Hopper');
    await signInWithForm(page, user.email, user.password);
    await page.getByLabel('Name', { exact: true }).fill('Deploy bot');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.locator('#new-key').waitFor();
    await page.goto('/account');
    await page.getByRole('button', { name: 'Rotate Deploy bot' }).click();
    await page.locator('#new-key').waitFor();
    expect(await page.locator('.secret-box').textContent()).toContain('keeps working for 24 hours');
    await page.goto('/account');
    const old = page.locator('li.item', { has: page.locator('.badge', { hasText: 'expiring' }) });
    await old.locator('summary').click();
    await screenshot(page, 'account-revoke-confirm');
    expect(await old.locator('.confirm-body').textContent()).toContain('a few more seconds');
    await Promise.all([
      page.waitForURL('**/account?notice=key_revoked'),
      old.getByRole('button', { name: 'Yes, revoke Deploy bot' }).click(),
    ]);
    expect(await page.locator('.badge', { hasText: 'revoked' }).count()).toBe(1);
    expect(await page.locator('.badge', { hasText: 'active' }).count()).toBe(1);
    expect({ violations: await seriousViolations(page) }).toEqual({ violations: [] });
  }, 45_000);

  it('goes from the landing page through sign-up to the account page', async () => {
    await page.goto('/');
    await Promise.all([
      page.waitForURL('**/signup'),
      page.getByRole('link', { name: 'Create an account' }).click(),
    ]);
    const email = `newcomer-${Date.now()}@example.test`;
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('a long and private passphrase');
    await Promise.all([
      page.waitForURL('**/account'),
      page.getByRole('button', { name: 'Create account' }).click(),
    ]);
    expect(await page.locator('.profile').textContent()).toContain(email);
  }, 30_000);

  it('keeps the address after a wrong password', async () => {
    const user = await registerUser(stack, 'Ada Lovelace');
    await page.goto('/login');
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/login?error=invalid_credentials');
    expect(await page.getByLabel('Email address').inputValue()).toBe(user.email);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    await screenshot(page, 'login-error-kept-address');
  }, 30_000);

  it("authorizes in the API explorer and gets 200 from GET /auth/me's Try it out", async () => {
    const user = await registerUser(stack, 'Grace Hopper');
    const { accessToken } = await login(stack, user);
    await page.goto('/docs');
    await page.locator('button.authorize').first().click();
    const dialog = page.locator('.dialog-ux');
    const bearer = dialog.locator('.auth-container', { hasText: 'bearer' }).first();
    await bearer.locator('input').first().fill(accessToken);
    await bearer.locator('button.authorize').click();
    await dialog.locator('button.btn-done').first().click();
    const operation = page.locator('.opblock-get', {
      has: page.locator('[data-path="/auth/me"]'),
    });
    await operation.locator('.opblock-summary').first().click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();
    const status = operation.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe('200');
    await screenshot(page, 'api-explorer-authorized');
  }, 45_000);
});
