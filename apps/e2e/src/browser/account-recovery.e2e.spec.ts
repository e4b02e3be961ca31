import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SinkMessage, SmtpSink } from '@keycard/testing';
import { startSmtpSink } from '@keycard/testing';
import type { RegisteredUser } from '../support/api';
import { login, registerUser } from '../support/api';
import { clearLogs, findLeaks, readLogs, VERBOSE_LOGS } from '../support/log-secrets';
import type { Stack } from '../support/stack';
import { startStack } from '../support/stack';
import { launchChromium, newContext, screenshot, signInWithForm } from './browser-kit';

// Real Chromium against the BUILT auth-service, whose mail goes to a real SMTP server started here
// (SMTP_URL): the user follows the links of the delivered messages, as they would from an inbox.
describe('Account recovery and address verification in a real browser', () => {
  let sink: SmtpSink;
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let user: RegisteredUser;

  beforeAll(async () => {
    clearLogs('browser-recovery');
    sink = await startSmtpSink();
    stack = await startStack({
      label: 'browser-recovery',
      authEnv: {
        SMTP_URL: sink.url,
        MAIL_FROM: 'Keycard <no-reply@keycard.test>',
        ...VERBOSE_LOGS,
      },
    });
    browser = await launchChromium();
    user = await registerUser(stack, 'Grace Hopper');
    context = await newContext(browser, stack);
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await sink?.close();
  });

  const mailTo = (email: string, subject: string): Promise<SinkMessage> =>
    sink.waitForMessage((m) => m.to.includes(email) && m.subject.startsWith(subject), 20_000);

  it('verifies the address from the link mailed at sign-up, with a button', async () => {
    const mail = await mailTo(user.email, 'Verify your email address');
    const link = mail.links[0];
    expect(link.startsWith(`${stack.issuer}/verify-email?token=`)).toBe(true);
    expect(mail.html).toContain(`href="${link.replace(/&/g, '&amp;')}"`);

    await page.goto(link);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Verify your email address',
    );
    await screenshot(page, 'verify-email');
    await page.getByRole('button', { name: 'Verify my address' }).click();
    await page.getByText('Your address is verified').waitFor();

    const tokens = await login(stack, user);
    const me = await fetch(`${stack.auth.url}/auth/me`, {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(((await me.json()) as { emailVerified: boolean }).emailVerified).toBe(true);
  }, 40_000);

  it('forgot password → mail → reset page → signs in with the new password', async () => {
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL('**/forgot-password');
    await screenshot(page, 'forgot-password');
    await page.getByLabel('Email address').fill(user.email);
    await Promise.all([
      page.waitForURL('**/forgot-password?sent=1'),
      page.getByRole('button', { name: 'Send me a link' }).click(),
    ]);
    expect(await page.getByRole('status').textContent()).toContain(
      'a message with a link is on its way',
    );

    const mail = await mailTo(user.email, 'Reset your password');
    expect(mail.text).toContain('expires in 30 minutes');
    await page.goto(mail.links[0]);
    await page.getByLabel('New password').fill('password123');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('not a commonly used one');
    await screenshot(page, 'reset-password');

    const newPassword = `new-${user.password}`;
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByText('Your password has been changed').waitFor();

    await signInWithForm(page, user.email, newPassword);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your account');
    expect(await page.locator('.profile').textContent()).toContain('(verified)');
    await screenshot(page, 'account-after-reset');

    await page.goto(mail.links[0]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'This link is not valid',
    );
  }, 60_000);

  it('never logs a link token when SMTP_URL is set (trace level)', async () => {
    const tokens: Record<string, string> = {};
    for (const [index, message] of sink.messagesTo(user.email).entries()) {
      for (const link of message.links) {
        const token = new URL(link).searchParams.get('token');
        if (token) tokens[`link token ${index}`] = token;
      }
    }
    expect(Object.keys(tokens).length).toBeGreaterThanOrEqual(2);
    expect(findLeaks(readLogs('browser-recovery'), tokens)).toEqual([]);
  });
});
