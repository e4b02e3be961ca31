import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import type { RegisteredUser } from '../support/api';
import { login, registerUser } from '../support/api';
import { freePorts } from '../support/ports';
import { WORKSPACE_ROOT } from '../support/service-process';
import type { Stack } from '../support/stack';
import { baseEnv, startStack } from '../support/stack';
import { launchChromium } from './browser-kit';

// The two apps of examples/, unmodified, against the built services in real Chromium: the SPA
// (oidc-client-ts) signs in, calls the resource-service, refreshes and signs out; the server web
// app (openid-client) signs in and is signed out by the back channel when the user signs out on
// Keycard's /account.

interface Example {
  url: string;
  child: ChildProcess;
}

async function startExample(
  script: string,
  port: number,
  env: Record<string, string>,
): Promise<Example> {
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'examples', script)], {
    cwd: WORKSPACE_ROOT,
    env: { ...baseEnv(), PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return { url, child };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill();
  throw new Error(`${script} did not start`);
}

async function registerClient(
  stack: Stack,
  body: Record<string, unknown>,
): Promise<{ clientId: string; clientSecret?: string }> {
  const admin = await login(stack, stack.admin);
  const response = await fetch(`${stack.auth.url}/admin/clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.accessToken}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 201)
    throw new Error(`register client: ${response.status} ${await response.text()}`);
  return (await response.json()) as { clientId: string; clientSecret?: string };
}

describe('The examples in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let user: RegisteredUser;
  let spa: Example;
  let web: Example;
  let context: BrowserContext;

  beforeAll(async () => {
    stack = await startStack({ label: 'browser-oidc-examples' });
    browser = await launchChromium();
    user = await registerUser(stack, 'Ada Lovelace');
    const [spaPort, webPort] = await freePorts(2);
    const spaClient = await registerClient(stack, {
      name: 'Example SPA',
      type: 'spa',
      firstParty: true,
      scopes: ['documents:read'],
      redirectUris: [`http://localhost:${spaPort}/`],
      postLogoutRedirectUris: [`http://localhost:${spaPort}/`],
    });
    const webClient = await registerClient(stack, {
      name: 'Example web app',
      type: 'web',
      firstParty: true,
      redirectUris: [`http://localhost:${webPort}/callback`],
      postLogoutRedirectUris: [`http://localhost:${webPort}/`],
      backchannelLogoutUri: `http://localhost:${webPort}/backchannel-logout`,
    });
    spa = await startExample('spa/serve.mjs', spaPort, {
      ISSUER: stack.issuer,
      CLIENT_ID: spaClient.clientId,
      RESOURCE_URL: stack.resource.url,
    });
    web = await startExample('web-app/server.mjs', webPort, {
      ISSUER: stack.issuer,
      CLIENT_ID: webClient.clientId,
      CLIENT_SECRET: webClient.clientSecret ?? '',
    });
    context = await browser.newContext();
    context.setDefaultTimeout(10_000);
  }, 120_000);

  afterAll(async () => {
    spa?.child.kill();
    web?.child.kill();
    await browser?.close();
    await stack?.stop();
  });

  it('SPA: signs in with oidc-client-ts, calls the resource-service, refreshes and signs out', async () => {
    const page = await context.newPage();
    await page.goto(spa.url);
    await page.getByRole('button', { name: 'Sign in with Keycard' }).click();
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText(`Signed in as ${user.email}`).waitFor();
    await page.getByRole('button', { name: 'Call the resource-service' }).click();
    await page.locator('#output').filter({ hasText: '"authType":"jwt"' }).waitFor();
    await page.getByRole('button', { name: 'Refresh the token' }).click();
    await page.locator('#output').filter({ hasText: 'refreshed' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('Not signed in').waitFor();
    expect(new URL(page.url()).origin).toBe(spa.url);
    await page.close();
  });

  it('web app: signs in with openid-client; signing out on /account reaches it over the back channel', async () => {
    const page = await context.newPage();
    await page.goto(web.url);
    await page.getByRole('link', { name: 'Sign in with Keycard' }).click();
    // The SPA test signed the user out of Keycard: the sign-in form again.
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#user').filter({ hasText: user.email }).waitFor();
    await page.goto(`${stack.auth.url}/account`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await page.waitForURL('**/login**');
    const deadline = Date.now() + 5_000;
    let text = '';
    while (Date.now() < deadline) {
      await page.goto(web.url);
      text = (await page.locator('#user').textContent()) ?? '';
      if (text === 'Not signed in') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(text).toBe('Not signed in');
  });
});
