import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RegisteredUser } from '../support/api';
import { registerUser } from '../support/api';
import type { Stack } from '../support/stack';
import { startStack } from '../support/stack';
import {
  launchChromium,
  newContext,
  PHONE,
  screenshot,
  sessionCookie,
  signInWithForm,
} from './browser-kit';

// Real Chromium against the BUILT auth-service (started by the harness, COOKIE_SECURE=false since
// it is plain http on 127.0.0.1). Each test continues where the previous one left off, as a user
// would: sign in, make a key, sign in elsewhere, revoke that session, sign out.
describe('Sign-in and account pages in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let user: RegisteredUser;
  let first: BrowserContext;
  let page: Page;
  let second: BrowserContext;

  beforeAll(async () => {
    stack = await startStack({ label: 'browser-account' });
    browser = await launchChromium();
    user = await registerUser(stack, 'Ada Lovelace');
    first = await newContext(browser, stack);
    page = await first.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows an inline error for a wrong password, then signs in through the form', async () => {
    await page.goto('/login');
    await screenshot(page, 'login');
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/login?error=invalid_credentials');
    const alert = page.getByRole('alert');
    expect(await alert.textContent()).toContain('do not match an account');
    await screenshot(page, 'login-error');

    await signInWithForm(page, user.email, user.password);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your account');
    expect(await page.locator('.profile').textContent()).toContain(user.email);
    expect(await page.locator('.badge', { hasText: 'current' }).count()).toBe(1);
    await screenshot(page, 'account');
  }, 30_000);

  it('creates an API key whose secret is shown once, with a working copy button', async () => {
    await page.getByLabel('Name', { exact: true }).fill('Deploy bot');
    await page.getByLabel('Environment').selectOption('test');
    await page.getByRole('checkbox', { name: 'documents:read' }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secretField = page.locator('#new-key');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^sk_test_[0-9A-Za-z]{49}$/);
    expect(await secretField.getAttribute('readonly')).not.toBeNull();
    expect(await page.getByText('It will not be shown again.').count()).toBe(1);
    // The script moved the address to /account, so a reload is a GET and never posts again.
    expect(new URL(page.url()).pathname).toBe('/account');
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await screenshot(page, 'account-new-key');

    await page.reload();
    expect(await page.locator('#new-key').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(await page.locator('[data-key-id]').textContent()).toContain('Deploy bot');
  }, 30_000);

  it('lets a second browser sign in, and the first sign it out on its next navigation', async () => {
    second = await newContext(browser, stack);
    const other = await second.newPage();
    await signInWithForm(other, user.email, user.password);
    const otherCookie = await sessionCookie(second);
    expect(otherCookie).toBeDefined();
    expect(otherCookie).not.toBe(await sessionCookie(first));

    await page.goto('/account');
    const sessions = page.locator('[data-session-id]');
    expect(await sessions.count()).toBe(2);
    await screenshot(page, 'account-two-sessions');
    await page.getByRole('button', { name: /^Sign out the session of/ }).click();
    await page.waitForURL('**/account');
    expect(await page.getByRole('status').textContent()).toContain(
      'That session has been signed out.',
    );
    expect(await page.locator('[data-session-id]').count()).toBe(1);

    await other.goto('/account');
    await other.waitForURL('**/login');
    expect(await other.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
  }, 30_000);

  it('refuses a form whose CSRF token was tampered with, with a page', async () => {
    await page.goto('/account');
    // A string is evaluated as an expression in the page (the e2e project has no DOM types).
    await page.evaluate(
      `document.querySelector('form.create-key input[name="_csrf"]').value = 'forged'`,
    );
    await page.getByLabel('Name', { exact: true }).fill('Should not exist');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('heading', { name: 'This form has expired' }).waitFor();
    await screenshot(page, 'error-csrf');
    await page.goto('/account');
    expect(await page.content()).not.toContain('Should not exist');
  }, 30_000);

  it('signs out', async () => {
    await page.locator('header').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login?signed_out=1');
    expect(await page.getByRole('status').textContent()).toContain('You have been signed out.');
    expect(await sessionCookie(first)).toBeUndefined();
    await screenshot(page, 'signed-out');
    await page.goto('/account');
    await page.waitForURL('**/login');
  }, 30_000);

  it('reads well on a phone (390×844)', async () => {
    const phone = await newContext(browser, stack, PHONE);
    const small = await phone.newPage();
    await small.goto('/login');
    await screenshot(small, 'login-phone');
    await signInWithForm(small, user.email, user.password);
    const width = await small.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await screenshot(small, 'account-phone');
    await phone.close();
  }, 30_000);
});
