import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { WORKSPACE_ROOT } from '../support/service-process';
import type { Stack } from '../support/stack';

/** Screenshots of the pages land here (the git-ignored `artifacts/`), one PNG per state. */
export const SCREENSHOT_DIR = join(WORKSPACE_ROOT, 'artifacts', 'screenshots');

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** The machine's Debian Chromium, headless, with nothing that phones home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** A fresh browser profile (own cookies) on the auth-service, allowed to use the clipboard. */
export async function newContext(
  browser: Browser,
  stack: Stack,
  viewport = DESKTOP,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport,
    baseURL: stack.auth.url,
    deviceScaleFactor: viewport === PHONE ? 2 : 1,
    isMobile: viewport === PHONE,
    hasTouch: viewport === PHONE,
  });
  // Fail with Playwright's own message (what it waited for) well before the test's timeout.
  context.setDefaultTimeout(10_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: stack.auth.url,
  });
  return context;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the form on /login and waits for the account page. */
export async function signInWithForm(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([
    page.waitForURL('**/account'),
    page.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
}

/** The session cookie of a browser context (the test never prints it). */
export async function sessionCookie(context: BrowserContext): Promise<string | undefined> {
  const cookies = await context.cookies();
  return cookies.find((cookie) => cookie.name === 'keycard.sid')?.value;
}
