import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { RunningAuthService } from '../oauth/oauth.test-kit';
import { BOOT_TIMEOUT_MS, startAuthService } from '../oauth/oauth.test-kit';
import { createUser, inputValue, registerApp, TestBrowser } from './oidc.test-kit';

/*
 * examples/web-app/server.mjs, unmodified, in its own process against the auth-service: signs a
 * user in with openid-client, and is signed out over the back channel when the user signs out of
 * Keycard. The browser is the test kit's (cookies per host, redirects followed by hand).
 */

const USER = { email: 'ken@example.test', password: 'ken-password-1' };
const EXAMPLE = join(__dirname, '..', '..', '..', '..', 'examples', 'web-app', 'server.mjs');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('examples/web-app against the auth-service', () => {
  let service: RunningAuthService;
  let child: ChildProcess;
  let appUrl: string;

  beforeAll(async () => {
    service = await startAuthService();
    await createUser(service, USER.email, USER.password);
    const port = await freePort();
    appUrl = `http://localhost:${port}`;
    const client = await registerApp(service, {
      name: 'Example web app',
      type: 'web',
      firstParty: true,
      scopes: [],
      redirectUris: [`${appUrl}/callback`],
      postLogoutRedirectUris: [`${appUrl}/`],
      backchannelLogoutUri: `${appUrl}/backchannel-logout`,
    });
    child = spawn(process.execPath, [EXAMPLE], {
      env: {
        PATH: process.env['PATH'] ?? '',
        ISSUER: service.issuer,
        CLIENT_ID: client.clientId,
        CLIENT_SECRET: client.clientSecret ?? '',
        PORT: String(port),
      },
      stdio: 'ignore',
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await fetch(appUrl);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }, BOOT_TIMEOUT_MS);
  afterAll(async () => {
    child?.kill();
    await service?.close();
  });

  it('signs in, and is signed out by the back channel when the user signs out of Keycard', async () => {
    const keycard = new TestBrowser(service.issuer);
    const app = new TestBrowser(appUrl);
    const toKeycard = await app.get('/login');
    const page = await keycard.get(toKeycard.location ?? '');
    const back = await keycard.signIn(page, USER.email, USER.password);
    expect(back.location?.startsWith(`${appUrl}/callback`)).toBe(true);
    const home = await app.follow(await app.get(back.location ?? ''));
    expect(home.body).toContain(USER.email);

    const account = await keycard.get('/account');
    const signedOut = await keycard.post('/session/logout', {
      _csrf: inputValue(account.body, '_csrf') ?? '',
    });
    expect(signedOut.status).toBe(303);
    const deadline = Date.now() + 5_000;
    let body = '';
    while (Date.now() < deadline) {
      body = (await app.get('/')).body;
      if (body.includes('Not signed in')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(body).toContain('Not signed in');
  });
});
