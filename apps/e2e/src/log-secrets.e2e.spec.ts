import type { RegisteredUser, TokenPair } from './support/api';
import { login, refresh, registerUser } from './support/api';
import { createApiKey } from './support/api-keys';
import type { HttpResult } from './support/http';
import { request } from './support/http';
import { clearLogs, findLeaks, readLogs, VERBOSE_LOGS } from './support/log-secrets';
import type { Stack } from './support/stack';
import { randomSecret, startStack } from './support/stack';

const LABEL = 'log-secrets';

/** A form-encoded POST (the OAuth endpoints), optionally with HTTP Basic client authentication. */
async function postForm(url: string, form: Record<string, string>, basic?: string) {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (basic !== undefined) headers['authorization'] = `Basic ${basic}`;
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : {}) as Record<string, string>,
  };
}

/** The `keycard.sid` value a login answer sets (decoded), or throws. */
function sessionCookie(response: HttpResult<unknown>): string {
  const cookie = response.headers
    .getSetCookie()
    .find((line) => line.startsWith('keycard.sid='))
    ?.split(';')[0]
    .slice('keycard.sid='.length);
  if (!cookie) throw new Error(`no keycard.sid cookie (status ${response.status})`);
  return decodeURIComponent(cookie);
}

/**
 * Every secret a flow can carry goes through the services, good and bad (wrong passwords, forged
 * tokens, unknown keys: failures are what tends to get logged), with the most verbose log level;
 * then no log file of the processes may hold any of them, whole or in part.
 */
describe('secrets never reach the logs', () => {
  let stack: Stack;
  let stopped = false;
  const keysEncryptionSecret = randomSecret(48);
  const secrets: Record<string, string> = { KEYS_ENCRYPTION_SECRET: keysEncryptionSecret };
  const expectStatus = (response: { status: number }, status: number, what: string) =>
    expect({ what, status: response.status }).toEqual({ what, status });

  beforeAll(async () => {
    clearLogs(LABEL);
    stack = await startStack({
      label: LABEL,
      authEnv: { ...VERBOSE_LOGS, KEYS_ENCRYPTION_SECRET: keysEncryptionSecret },
      resourceEnv: VERBOSE_LOGS,
    });
    Object.assign(secrets, {
      'admin password': stack.admin.password,
      'client secret': stack.client.secret,
    });
  });

  afterAll(async () => {
    if (!stopped) await stack?.stop();
  });

  let user: RegisteredUser;
  let tokens: TokenPair;

  it('passwords: register, log in, wrong password, unknown user', async () => {
    user = await registerUser(stack);
    tokens = await login(stack, user);
    const wrong = `pw-${randomSecret(20)}`;
    Object.assign(secrets, {
      password: user.password,
      'wrong password': wrong,
      'access token': tokens.accessToken,
      'refresh token': tokens.refreshToken,
    });
    for (const email of [user.email, 'nobody@example.test']) {
      const refused = await request('POST', `${stack.auth.url}/auth/login`, {
        json: { email, password: wrong },
      });
      expectStatus(refused, 401, `login ${email} with a wrong password`);
    }
  });

  it('access tokens in the Authorization header: good, forged and garbage, at both services', async () => {
    const [header, payload] = tokens.accessToken.split('.');
    const forged = `${header}.${payload}.${randomSecret(342)}`;
    const garbage = randomSecret(40);
    Object.assign(secrets, { 'forged token': forged, 'garbage bearer': garbage });
    for (const url of [`${stack.resource.url}/me`, `${stack.auth.url}/auth/me`]) {
      expectStatus(await request('GET', url, { bearer: tokens.accessToken }), 200, url);
      for (const bad of [forged, garbage]) {
        expectStatus(await request('GET', url, { bearer: bad }), 401, `${url} with a bad token`);
      }
    }
  });

  it('refresh tokens: rotation, an unknown one, and the OAuth refresh_token grant', async () => {
    const rotated = await refresh(stack, tokens.refreshToken);
    expectStatus(rotated, 200, 'refresh');
    const unknown = `rt_${randomSecret(43)}`;
    expectStatus(await refresh(stack, unknown), 401, 'refresh with an unknown token');
    const viaOauth = await postForm(`${stack.auth.url}/oauth/token`, {
      grant_type: 'refresh_token',
      refresh_token: rotated.body.refreshToken,
    });
    expectStatus(viaOauth, 200, 'oauth refresh_token grant');
    Object.assign(secrets, {
      'rotated access token': rotated.body.accessToken,
      'rotated refresh token': rotated.body.refreshToken,
      'unknown refresh token': unknown,
      'oauth access token': viaOauth.body['access_token'],
      'oauth refresh token': viaOauth.body['refresh_token'],
    });
  });

  it('session cookie: sign in, use it, and a made-up one', async () => {
    const signIn = await request('POST', `${stack.auth.url}/session/login`, {
      json: { email: user.email, password: user.password },
      headers: { origin: stack.auth.url },
    });
    expectStatus(signIn, 200, 'session login');
    const cookie = sessionCookie(signIn);
    const madeUp = `s:${randomSecret(32)}.${randomSecret(43)}`;
    Object.assign(secrets, { 'session cookie': cookie, 'made-up session cookie': madeUp });
    const me = (value: string) =>
      request('GET', `${stack.auth.url}/auth/me`, {
        headers: { cookie: `keycard.sid=${encodeURIComponent(value)}` },
      });
    expectStatus(await me(cookie), 200, 'GET /auth/me with the session cookie');
    expectStatus(await me(madeUp), 401, 'GET /auth/me with a made-up cookie');
  });

  it('API keys: create, use, an unknown one, and one sent as a bearer token', async () => {
    const { key } = await createApiKey(stack, tokens.accessToken);
    const unknown = `sk_live_${randomSecret(38)}`;
    Object.assign(secrets, { 'API key': key, 'unknown API key': unknown });
    const me = `${stack.resource.url}/me`;
    expectStatus(await request('GET', me, { headers: { 'x-api-key': key } }), 200, 'API key');
    expectStatus(
      await request('GET', me, { headers: { 'x-api-key': unknown } }),
      401,
      'unknown key',
    );
    expectStatus(await request('GET', me, { bearer: key }), 401, 'API key as a bearer token');
  });

  it('client secrets: client_credentials, introspection, a wrong secret', async () => {
    const basic = Buffer.from(`${stack.client.id}:${stack.client.secret}`).toString('base64');
    const wrong = randomSecret(40);
    const granted = await postForm(
      `${stack.auth.url}/oauth/token`,
      { grant_type: 'client_credentials' },
      basic,
    );
    expectStatus(granted, 200, 'client_credentials with client_secret_basic');
    const introspected = await postForm(
      `${stack.auth.url}/oauth/introspect`,
      { token: tokens.accessToken },
      basic,
    );
    expectStatus(introspected, 200, 'introspection');
    const refused = await postForm(`${stack.auth.url}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: stack.client.id,
      client_secret: wrong,
    });
    expectStatus(refused, 401, 'client_credentials with a wrong client_secret_post');
    Object.assign(secrets, {
      'Basic credentials': basic,
      'wrong client secret': wrong,
      'client access token': granted.body['access_token'],
    });
  });

  it('none of them is in any log file of the two processes, whole or in part', async () => {
    stopped = true;
    await stack.stop(); // the logs are complete once the processes have exited
    const logs = readLogs(LABEL);
    expect(logs.map((log) => log.name).sort()).toEqual([
      `${LABEL}.auth-service.stderr.log`,
      `${LABEL}.auth-service.stdout.log`,
      `${LABEL}.resource-service.stderr.log`,
      `${LABEL}.resource-service.stdout.log`,
    ]);
    expect(logs.reduce((size, log) => size + log.text.length, 0)).toBeGreaterThan(0);
    expect(findLeaks(logs, secrets)).toEqual([]);
  });
});
