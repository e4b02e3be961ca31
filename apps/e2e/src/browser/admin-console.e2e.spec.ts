import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RegisteredUser } from '../support/api';
import { registerUser } from '../support/api';
import type { Stack } from '../support/stack';
import { startStack } from '../support/stack';
import { seriousViolations } from './axe-check';
import { launchChromium, newContext, PHONE, screenshot, signInWithForm } from './browser-kit';

const LAPTOP = { width: 1280, height: 800 };

/** Screenshot `admin-<screen>-<width>.png` and the axe check (nothing serious or critical). */
async function record(page: Page, screen: string): Promise<void> {
  await screenshot(page, `admin-${screen}-${page.viewportSize()?.width ?? 0}`);
  expect({ screen, violations: await seriousViolations(page) }).toEqual({ screen, violations: [] });
}

async function clientCredentials(stack: Stack, id: string, secret: string): Promise<number> {
  const response = await fetch(`${stack.auth.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: id,
      client_secret: secret,
    }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  return response.status;
}

// Real Chromium against the BUILT auth-service, signed in as the bootstrap admin of the stack
// (BOOTSTRAP_ADMIN_EMAIL/PASSWORD). The tests run in order, as an admin would work through the
// console: open it, change a user's roles, disable them, create a client, rotate the keys, read
// the audit log; then every screen again on a phone.
describe('Admin console in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let target: RegisteredUser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack({ label: 'browser-admin' });
    browser = await launchChromium();
    target = await registerUser(stack, 'Target User');
    context = await newContext(browser, stack, LAPTOP);
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('opens the console from /account for the admin', async () => {
    await signInWithForm(page, stack.admin.email, stack.admin.password);
    await Promise.all([
      page.waitForURL('**/admin'),
      page.getByRole('link', { name: 'Open the admin console' }).click(),
    ]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await page.locator('.stat', { hasText: 'Users' }).textContent()).toMatch(/[1-9]/);
    await record(page, 'overview');
  }, 30_000);

  it('finds a user by e-mail and changes their roles after a confirmation', async () => {
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByLabel('E-mail starts with').fill(target.email.slice(0, 12));
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL('**/admin/console/users?email=*');
    expect(await page.locator('tbody tr').count()).toBe(1);
    await record(page, 'users');

    await page.getByRole('link', { name: target.email }).click();
    await page.waitForURL(`**/admin/console/users/${target.user.id}`);
    await page.locator('#roles').fill('user, auditor');
    await page.getByRole('button', { name: 'Change roles' }).click();
    await page.getByRole('heading', { name: `Change the roles of ${target.email}?` }).waitFor();
    expect(await page.getByText('From: user. To: user, auditor.').count()).toBe(1);
    // The console script put the user's address back: a reload would not post again.
    expect(new URL(page.url()).pathname).toBe(`/admin/console/users/${target.user.id}`);
    await record(page, 'confirm');
    await page.getByRole('button', { name: 'Change roles' }).click();
    await page.getByText('The roles were changed.').waitFor();
    expect(await page.locator('#roles').inputValue()).toBe('user, auditor');
  }, 30_000);

  it('disables the user only once the confirmation page is confirmed', async () => {
    await page.getByRole('button', { name: `Disable ${target.email}` }).click();
    await page.getByRole('heading', { name: `Disable ${target.email}?` }).waitFor();
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(`**/admin/console/users/${target.user.id}`);
    expect(await page.locator('.profile .badge-danger').count()).toBe(0);

    await page.getByRole('button', { name: `Disable ${target.email}` }).click();
    await page.getByRole('button', { name: 'Disable the user' }).click();
    await page.getByText('The user was disabled').waitFor();
    expect(await page.locator('.profile .badge-danger').textContent()).toBe('disabled');
    const login = await fetch(`${stack.auth.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: target.email, password: target.password }),
    });
    expect(login.status).toBe(401);
    await record(page, 'user');
  }, 30_000);

  it('creates a client whose secret is shown once and works', async () => {
    await page.getByRole('link', { name: 'Clients', exact: true }).click();
    await page.locator('#client-name').fill('e2e billing worker');
    await page.locator('#client-scopes').fill('usage:report');
    await page.getByRole('button', { name: 'Create client' }).click();
    const secretField = page.locator('#new-secret');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^cs_/);
    expect(new URL(page.url()).pathname).toBe('/admin/console/clients');
    const row = page.locator('tr', { hasText: 'e2e billing worker' });
    const clientId = (await row.locator('code').first().textContent()) ?? '';
    expect(await clientCredentials(stack, clientId, secret)).toBe(200);
    await record(page, 'clients');
    await page.reload();
    expect(await page.locator('#new-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    // The reload was a GET: no second client was made.
    expect(await page.locator('tr', { hasText: 'e2e billing worker' }).count()).toBe(1);
  }, 30_000);

  it('rotates the signing keys, forcing it (with a confirmation) when the next key is too new', async () => {
    await page.getByRole('link', { name: 'Signing keys', exact: true }).click();
    const activeBefore = await page
      .locator('tr', { hasText: 'active' })
      .locator('code')
      .textContent();
    await page.getByRole('button', { name: 'Rotate the signing keys…' }).click();
    await page.getByRole('button', { name: 'Rotate', exact: true }).click();
    // A fresh stack's next key is younger than JWKS_MAX_AGE (300 s): a 409, explained, with "force".
    await page.getByText('A normal rotation is possible in').waitFor();
    await page.getByRole('button', { name: 'Force the rotation…' }).click();
    await page.getByRole('heading', { name: 'Force a rotation of the signing keys?' }).waitFor();
    await page.getByRole('button', { name: 'Force the rotation', exact: true }).click();
    await page.getByText('The signing keys were rotated.').waitFor();
    const activeAfter = await page
      .locator('tr', { hasText: 'active' })
      .locator('code')
      .textContent();
    expect(activeAfter).not.toBe(activeBefore);
    expect(await page.locator('tr', { hasText: 'retiring' }).locator('code').textContent()).toBe(
      activeBefore,
    );
    await record(page, 'keys');
  }, 30_000);

  it('filters the audit log down to what was done to the user', async () => {
    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.locator('#audit-type').selectOption('user.*');
    await page.locator('#audit-outcome').selectOption('success');
    await page.locator('#audit-subjectId').fill(target.user.id);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL('**/admin/console/audit?*subjectId=*');
    const types = await page.locator('tbody td[data-label="Type"]').allTextContents();
    expect(types.map((type) => type.trim()).sort()).toEqual([
      'user.disabled',
      'user.registered',
      'user.roles_changed',
    ]);
    await record(page, 'audit');
  }, 30_000);

  it('shows every screen on a phone, without serious accessibility problems', async () => {
    const phone = await newContext(browser, stack, PHONE);
    try {
      const small = await phone.newPage();
      // Not signed in: to /login, and back to the console page once signed in.
      await small.goto('/admin/console/keys');
      await small.waitForURL('**/login');
      await small.getByLabel('Email address').fill(stack.admin.email);
      await small.getByLabel('Password').fill(stack.admin.password);
      await Promise.all([
        small.waitForURL('**/admin/console/keys'),
        small.getByRole('button', { name: 'Sign in', exact: true }).click(),
      ]);
      const screens: [string, string][] = [
        ['overview', '/admin'],
        ['users', '/admin/console/users'],
        ['user', `/admin/console/users/${target.user.id}`],
        ['clients', '/admin/console/clients'],
        ['keys', '/admin/console/keys'],
        ['audit', `/admin/console/audit?subjectId=${target.user.id}`],
      ];
      for (const [screen, path] of screens) {
        await small.goto(path);
        await record(small, screen);
        // Nothing is wider than the phone: no sideways scrolling.
        const width = await small.evaluate('document.documentElement.scrollWidth');
        expect({ screen, width }).toEqual({ screen, width: PHONE.width });
      }
      await small.goto('/admin/console/keys');
      await small.getByRole('button', { name: 'Rotate the signing keys…' }).click();
      await small.getByRole('heading', { name: 'Rotate the signing keys?' }).waitFor();
      await record(small, 'confirm');
    } finally {
      await phone.close();
    }
  }, 60_000);
});
