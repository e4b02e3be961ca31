import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import type { RegisteredUser } from '../support/api';
import { registerUser } from '../support/api';
import type { Stack } from '../support/stack';
import { startStack } from '../support/stack';
import { DESKTOP, launchChromium, screenshot, signInWithForm } from './browser-kit';

// Real Chromium against the BUILT auth-service: a user sets up an authenticator app from the
// account pages (reading the key off the page and computing codes as the app would), signs out
// and back in through the second step; another adds a passkey (Chromium's virtual authenticator,
// over CDP) and signs in with it alone. The issuer is http://localhost:<port>: WebAuthn refuses
// an IP address as relying-party id.

/** A browser profile on the issuer's own origin (localhost), where passkeys and CSRF checks hold. */
async function issuerContext(browser: Browser, stack: Stack): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: DESKTOP, baseURL: stack.issuer });
  context.setDefaultTimeout(10_000);
  return context;
}

function codeAt(secret: string, timestamp = Date.now()): string {
  const totp = new TOTP({
    secret: Secret.fromBase32(secret),
    digits: 6,
    period: 30,
    algorithm: 'SHA1',
  });
  return totp.generate({ timestamp });
}

/**
 * A code of a later step than `used` (codes are single-use by step). Within the step just used,
 * the next step's code: the server accepts one step ahead, so no waiting.
 */
function freshCode(secret: string, usedStep: number): { code: string; step: number } {
  const step = Math.max(Math.floor(Date.now() / 30_000), usedStep + 1);
  return { code: codeAt(secret, step * 30_000 + 1), step };
}

async function signOut(page: Page): Promise<void> {
  await Promise.all([
    page.waitForURL('**/login?signed_out=1'),
    page.getByRole('button', { name: 'Sign out', exact: true }).first().click(),
  ]);
}

describe('Second factors in a real browser', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack({ label: 'browser-mfa', issuerHost: 'localhost' });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  describe('an authenticator app', () => {
    let user: RegisteredUser;
    let context: BrowserContext;
    let page: Page;
    let secret: string;
    let usedStep: number;

    beforeAll(async () => {
      user = await registerUser(stack, 'Katherine Johnson');
      context = await issuerContext(browser, stack);
      page = await context.newPage();
    });
    afterAll(() => context?.close());

    it('is set up from the account page with the key shown there; recovery codes are shown once', async () => {
      await signInWithForm(page, user.email, user.password);
      await page.getByRole('link', { name: 'Sign-in security' }).click();
      await page.waitForURL('**/account/security');
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await page.locator('#totp-enrol svg').waitFor();
      secret = (await page.locator('#totp-secret').textContent()) ?? '';
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      await screenshot(page, 'mfa-enrol-totp');

      const first = freshCode(secret, 0);
      usedStep = first.step;
      await page.getByLabel('Code from the app').fill(first.code);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
      const codes = ((await page.locator('#recovery-codes').textContent()) ?? '').split('\n');
      expect(codes).toHaveLength(10);
      await screenshot(page, 'mfa-recovery-codes');
      await page.getByRole('link', { name: 'Done' }).click();
      await page.getByText('On: sign-ins ask for a code from your app.').waitFor();
    }, 90_000);

    it('asks for a code after the password, and signs in with it', async () => {
      await page.goto('/account');
      await signOut(page);
      await page.getByLabel('Email address').fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await Promise.all([
        page.waitForURL('**/login/mfa'),
        page.getByRole('button', { name: 'Sign in', exact: true }).click(),
      ]);
      await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
      await screenshot(page, 'mfa-second-step');

      await page.getByLabel('Code').fill('000000');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('alert').waitFor();
      expect(page.url()).toContain('/login/mfa?error=invalid_code');

      const next = freshCode(secret, usedStep);
      await page.getByLabel('Code').fill(next.code);
      await Promise.all([
        page.waitForURL('**/account'),
        page.getByRole('button', { name: 'Continue' }).click(),
      ]);
    }, 90_000);
  });

  describe('a passkey', () => {
    let user: RegisteredUser;
    let context: BrowserContext;
    let page: Page;
    let cdp: CDPSession;

    beforeAll(async () => {
      user = await registerUser(stack, 'Mary Jackson');
      context = await issuerContext(browser, stack);
      page = await context.newPage();
      cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });
    });
    afterAll(() => context?.close());

    it('is added from the account page under a name', async () => {
      await signInWithForm(page, user.email, user.password);
      await page.goto('/account/security');
      await page.getByLabel('Name of the new passkey').fill('Test laptop');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await page.locator('#passkey-recovery-codes').waitFor();
      await page.goto('/account/security');
      await page.getByText('Test laptop').waitFor();
      await screenshot(page, 'mfa-passkeys');
    }, 60_000);

    it('signs in with the passkey alone from /login', async () => {
      await page.goto('/account');
      await signOut(page);
      await page.goto('/login');
      await page.getByRole('link', { name: 'Sign in with a passkey' }).click();
      await page.waitForURL('**/login/passkey');
      await screenshot(page, 'mfa-login-passkey');
      await Promise.all([
        page.waitForURL('**/account'),
        page.getByRole('button', { name: 'Sign in with a passkey' }).click(),
      ]);
      const me = await page.evaluate(async () => (await fetch('/session')).json());
      expect(me).toMatchObject({ user: { email: user.email } });
    }, 60_000);
  });
});
