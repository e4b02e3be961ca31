import type { JsonWebKey } from 'node:crypto';
import type { ErrorResponse, Jwks, RegisteredUser, TokenPair } from './support/api';
import { login, registerUser, resourceMe } from './support/api';
import { forgeTokens } from './support/forged-tokens';
import { decodeJwt, postFrom, randomLoopbackAddress, request } from './support/http';
import type { Stack } from './support/stack';
import { startStack } from './support/stack';

describe('refusals of the built services (real processes, real HTTP)', () => {
  let stack: Stack;
  let victim: RegisteredUser;
  let genuine: TokenPair;
  let forgeries: [string, string][];

  beforeAll(async () => {
    stack = await startStack({ label: 'refusals' });
    victim = await registerUser(stack, 'Victim');
    genuine = await login(stack, victim);
    const kid = decodeJwt(genuine.accessToken).header['kid'];
    const jwks = await request<Jwks>('GET', `${stack.auth.url}/.well-known/jwks.json`);
    const jwk = jwks.body.keys.find((key) => key['kid'] === kid) as JsonWebKey;
    forgeries = forgeTokens(genuine.accessToken, jwk);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers a wrong password and an unknown email with the same 401 Invalid credentials', async () => {
    // From an address of its own, so these failures never count against 127.0.0.1 in a shared Redis.
    const address = randomLoopbackAddress();
    const loginUrl = `${stack.auth.url}/auth/login`;
    const wrongPassword = await postFrom<ErrorResponse>(address, loginUrl, {
      email: victim.email,
      password: `${victim.password}x`,
    });
    const unknownEmail = await postFrom<ErrorResponse>(address, loginUrl, {
      email: `nobody-${victim.email}`,
      password: victim.password,
    });
    for (const response of [wrongPassword, unknownEmail]) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual(
        expect.objectContaining({ statusCode: 401, message: 'Invalid credentials' }),
      );
    }
  });

  it('answers a request without credentials at the resource-service with 401 and WWW-Authenticate: Bearer', async () => {
    const response = await request<ErrorResponse>('GET', `${stack.resource.url}/me`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expect(response.body.statusCode).toBe(401);
  });

  it('refuses every forged token with 401 invalid_token at both services', async () => {
    const outcomes = [];
    for (const [forgery, token] of forgeries) {
      for (const url of [`${stack.resource.url}/me`, `${stack.auth.url}/auth/me`]) {
        const response = await request('GET', url, { bearer: token });
        outcomes.push({
          forgery,
          url,
          status: response.status,
          challenge: response.headers.get('www-authenticate'),
        });
      }
    }
    expect(outcomes).toEqual(
      outcomes.map(({ forgery, url }) => ({
        forgery,
        url,
        status: 401,
        challenge: expect.stringMatching(/^Bearer\b.*error="invalid_token"/),
      })),
    );
  });

  it('still accepts the genuine token the forgeries were built from', async () => {
    expect((await resourceMe(stack, genuine.accessToken)).status).toBe(200);
  });

  const badBodies: [string, number, string][] = [
    ['malformed JSON', 400, '{"title":'],
    ['a body over 64 KiB', 413, JSON.stringify({ title: 't', body: 'x'.repeat(70 * 1024) })],
    [
      'fields of the wrong type',
      400,
      JSON.stringify({ email: 5, password: ['x'], title: 5, body: {} }),
    ],
    ['JSON nested 5,000 levels deep in arrays', 400, '['.repeat(5000) + ']'.repeat(5000)],
    [
      'JSON nested 5,000 levels deep in objects',
      400,
      '{"a":'.repeat(5000) + '1' + '}'.repeat(5000),
    ],
    ['a field nested 33 levels deep', 400, `{"title":${'['.repeat(32)}${']'.repeat(32)}}`],
  ];

  it.each(badBodies)('answers %s with %i (never 500) at both services', async (_, status, body) => {
    const targets: { url: string; headers: Record<string, string> }[] = [
      { url: `${stack.auth.url}/auth/login`, headers: {} },
      {
        url: `${stack.resource.url}/documents`,
        headers: { authorization: `Bearer ${genuine.accessToken}` },
      },
    ];
    for (const { url, headers } of targets) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      const answer = (await response.json()) as ErrorResponse;
      expect({ url, status: response.status, statusCode: answer.statusCode }).toEqual({
        url,
        status,
        statusCode: status,
      });
    }
  });

  it('answers a refresh with anything but a live refresh token with 401, and logout with 204', async () => {
    const notRefreshTokens = [genuine.accessToken, `rt_${'A'.repeat(10_000)}`, 'rt_nope', ''];
    const outcomes = [];
    for (const refreshToken of notRefreshTokens) {
      const refresh = await request('POST', `${stack.auth.url}/auth/refresh`, {
        json: { refreshToken },
      });
      const logout = await request('POST', `${stack.auth.url}/auth/logout`, {
        json: { refreshToken },
      });
      outcomes.push({
        length: refreshToken.length,
        refresh: refresh.status,
        logout: logout.status,
      });
    }
    expect(outcomes).toEqual(
      notRefreshTokens.map(({ length }) => ({ length, refresh: 401, logout: 204 })),
    );
  });

  it('never lets a registration choose its own roles', async () => {
    const response = await request<{ roles?: string[] }>(
      'POST',
      `${stack.auth.url}/auth/register`,
      { json: { email: `climber-${victim.email}`, password: victim.password, roles: ['admin'] } },
    );
    expect([400, 201]).toContain(response.status);
    if (response.status === 201) expect(response.body.roles).not.toContain('admin');
  });

  it('ignores an API key in the query string (401, not a crash)', async () => {
    const response = await request(
      'GET',
      `${stack.resource.url}/me?api_key=sk_live_x&apiKey=sk_live_x`,
    );
    expect(response.status).toBe(401);
  });
});
