import type {
  DocumentResponse,
  ErrorResponse,
  Jwks,
  RegisteredUser,
  SigningKeyInfo,
  TokenPair,
} from './support/api';
import { authMe, login, refresh, registerUser, resourceMe } from './support/api';
import { decodeJwt, request } from './support/http';
import type { Stack } from './support/stack';
import { startStack } from './support/stack';

const PRIVATE_JWK_FIELDS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function kidOf(token: string): string {
  return String(decodeJwt(token).header['kid']);
}

function keysOf(body: unknown): SigningKeyInfo[] {
  const list = Array.isArray(body) ? body : (body as { keys?: unknown }).keys;
  if (!Array.isArray(list)) throw new Error(`GET /admin/keys: not a list: ${JSON.stringify(body)}`);
  return list as SigningKeyInfo[];
}

function withStatus(keys: SigningKeyInfo[], status: SigningKeyInfo['status']): string[] {
  return keys.filter((key) => key.status === status).map((key) => key.kid);
}

describe('token lifecycle against the built services (real processes, real HTTP)', () => {
  let stack: Stack;

  beforeAll(async () => {
    // The resource-service fetches the JWKS at start-up and its refetch cooldown (default 30 s)
    // counts from that fetch; 0 lets the "never seen kid" test below see a refetch without sleeping.
    // (The other spec keeps the default, where the pre-published next key must do the job.)
    stack = await startStack({
      label: 'token-lifecycle',
      resourceEnv: { JWKS_MIN_REFETCH_INTERVAL: '0' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const jwks = async () => {
    const response = await request<Jwks>('GET', `${stack.auth.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    return response;
  };
  const adminKeys = async (adminToken: string) => {
    const response = await request('GET', `${stack.auth.url}/admin/keys`, { bearer: adminToken });
    expect(response.status).toBe(200);
    return keysOf(response.body);
  };
  const rotate = (adminToken: string, force: boolean) =>
    request<ErrorResponse>(
      'POST',
      `${stack.auth.url}/admin/keys/rotate${force ? '?force=true' : ''}`,
      {
        bearer: adminToken,
      },
    );

  describe('public metadata', () => {
    it('publishes the JWKS with Cache-Control: public, max-age=300 and no private key material', async () => {
      const response = await jwks();
      expect(response.headers.get('cache-control')?.replace(/\s+/g, ' ')).toBe(
        'public, max-age=300',
      );
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(response.body.keys.length).toBeGreaterThanOrEqual(2); // the active key and the pre-published next
      for (const key of response.body.keys) {
        expect(key).toEqual(expect.objectContaining({ kty: 'RSA', use: 'sig', alg: 'RS256' }));
        expect(typeof key['kid']).toBe('string');
        for (const field of PRIVATE_JWK_FIELDS) expect(key).not.toHaveProperty(field);
      }
    });

    it('serves the discovery document the resource-service finds the JWKS through', async () => {
      const response = await request('GET', `${stack.auth.url}/.well-known/openid-configuration`);
      expect(response.status).toBe(200);
      expect(response.body['issuer']).toBe(stack.issuer);
      expect(response.body['jwks_uri']).toBe(`${stack.issuer}/.well-known/jwks.json`);
    });
  });

  describe('the walk: register, use, refresh, rotate keys, revoke, log out', () => {
    let alice: RegisteredUser;
    let first: TokenPair;
    let second: TokenPair;
    let adminToken: string;
    let keysAtStart: SigningKeyInfo[];
    let secondLogin: TokenPair;

    it('registers a user, who logs in and gets an RS256 at+jwt access token and an rt_ refresh token', async () => {
      alice = await registerUser(stack, 'Alice');
      expect(alice.user).toEqual(expect.objectContaining({ email: alice.email, name: 'Alice' }));
      expect(alice.user.roles).not.toContain('admin');
      first = await login(stack, alice);
      expect(first).toEqual(expect.objectContaining({ tokenType: 'Bearer', expiresIn: 900 }));
      expect(first.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43,}$/);
      const { header, payload } = decodeJwt(first.accessToken);
      expect(header).toEqual(
        expect.objectContaining({ alg: 'RS256', typ: 'at+jwt', kid: expect.any(String) }),
      );
      expect(payload).toEqual(
        expect.objectContaining({
          iss: stack.issuer,
          sub: alice.user.id,
          roles: alice.user.roles,
          jti: expect.any(String),
          sid: expect.any(String),
        }),
      );
      expect([payload['aud']].flat()).toContain('keycard');
      expect(Number(payload['exp']) - Number(payload['iat'])).toBe(900);
    });

    it('resource-service GET /me accepts the access token (authType jwt, the user’s roles)', async () => {
      const response = await resourceMe(stack, first.accessToken);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(
        expect.objectContaining({ sub: alice.user.id, roles: alice.user.roles, authType: 'jwt' }),
      );
      expect(typeof response.body.scope).toBe('string');
    });

    it('creates a document and lists it; another user cannot read it', async () => {
      const created = await request<DocumentResponse>('POST', `${stack.resource.url}/documents`, {
        bearer: first.accessToken,
        json: { title: 'E2E notes', body: 'written through the real HTTP stack' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          title: 'E2E notes',
          body: 'written through the real HTTP stack',
          ownerId: alice.user.id,
          createdAt: expect.anything(),
        }),
      );
      const list = await request<DocumentResponse[]>('GET', `${stack.resource.url}/documents`, {
        bearer: first.accessToken,
      });
      expect(list.status).toBe(200);
      expect(list.body.map((document) => document.id)).toContain(created.body.id);
      const one = await request<DocumentResponse>(
        'GET',
        `${stack.resource.url}/documents/${created.body.id}`,
        {
          bearer: first.accessToken,
        },
      );
      expect(one.status).toBe(200);

      const bob = await login(stack, await registerUser(stack, 'Bob'));
      const bobs = await request<DocumentResponse[]>('GET', `${stack.resource.url}/documents`, {
        bearer: bob.accessToken,
      });
      expect(bobs.status).toBe(200);
      expect(bobs.body).toEqual([]);
      const stolen = await request('GET', `${stack.resource.url}/documents/${created.body.id}`, {
        bearer: bob.accessToken,
      });
      expect(stolen.status).toBe(404);
    });

    it('refresh rotates the refresh token; the previous one, within REFRESH_REUSE_INTERVAL, gets the same successor', async () => {
      const response = await refresh(stack, first.refreshToken);
      expect(response.status).toBe(200);
      second = response.body;
      expect(second.refreshToken).toMatch(/^rt_/);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(decodeJwt(second.accessToken).payload['sid']).toBe(
        decodeJwt(first.accessToken).payload['sid'],
      );
      expect((await resourceMe(stack, second.accessToken)).status).toBe(200);

      const retry = await refresh(stack, first.refreshToken);
      expect(retry.status).toBe(200);
      expect(retry.body.refreshToken).toBe(second.refreshToken);
    });

    it('presenting an older rotated refresh token revokes the whole family (the newest token too)', async () => {
      const family = [await login(stack, alice)];
      for (let i = 0; i < 2; i++) {
        const next = await refresh(stack, family[family.length - 1].refreshToken);
        expect(next.status).toBe(200);
        family.push(next.body);
      }
      const reuse = await refresh(stack, family[0].refreshToken);
      expect(reuse.status).toBe(401);
      const newest = await refresh(stack, family[2].refreshToken);
      expect(newest.status).toBe(401);
      // Another login of the same user is another family and keeps working.
      const other = await refresh(stack, second.refreshToken);
      expect(other.status).toBe(200);
      second = other.body;
    });

    it('refuses the key endpoints to a user without role admin (403)', async () => {
      const response = await request('GET', `${stack.auth.url}/admin/keys`, {
        bearer: first.accessToken,
      });
      expect(response.status).toBe(403);
    });

    it('admin sees one active key (the one signing tokens) and one next key, both in the JWKS', async () => {
      adminToken = (await login(stack, stack.admin)).accessToken;
      expect(decodeJwt(adminToken).payload['roles']).toContain('admin');
      keysAtStart = await adminKeys(adminToken);
      expect(withStatus(keysAtStart, 'active')).toEqual([kidOf(first.accessToken)]);
      expect(withStatus(keysAtStart, 'next')).toHaveLength(1);
      const published = (await jwks()).body.keys.map((key) => key['kid']);
      expect(published).toEqual(
        expect.arrayContaining([
          ...withStatus(keysAtStart, 'active'),
          ...withStatus(keysAtStart, 'next'),
        ]),
      );
    });

    it('refuses a rotation with 409 and how long to wait while the next key is younger than JWKS_MAX_AGE', async () => {
      const response = await rotate(adminToken, false);
      expect(response.status).toBe(409);
      expect(String(response.body.message)).toMatch(/\d/);
      expect(withStatus(await adminKeys(adminToken), 'active')).toEqual(
        withStatus(keysAtStart, 'active'),
      );
    });

    it('rotates with ?force=true: next becomes active, active becomes retiring, a new next appears', async () => {
      const response = await rotate(adminToken, true);
      expect(response.status).toBe(201);
      const keys = await adminKeys(adminToken);
      const [oldActive] = withStatus(keysAtStart, 'active');
      const [oldNext] = withStatus(keysAtStart, 'next');
      expect(withStatus(keys, 'active')).toEqual([oldNext]);
      expect(withStatus(keys, 'retiring')).toEqual([oldActive]);
      const [newNext] = withStatus(keys, 'next');
      expect(newNext).toBeDefined();
      expect([oldActive, oldNext]).not.toContain(newNext);
      expect((await jwks()).body.keys.map((key) => key['kid'])).toEqual(
        expect.arrayContaining([oldActive, oldNext, newNext]),
      );
    });

    it('still verifies the access token signed by the retiring key, at both services', async () => {
      expect((await resourceMe(stack, first.accessToken)).status).toBe(200);
      expect((await authMe(stack, first.accessToken)).status).toBe(200);
    });

    it('signs a new login with the new active key, and the resource-service accepts it', async () => {
      secondLogin = await login(stack, alice);
      const [oldNext] = withStatus(keysAtStart, 'next');
      expect(kidOf(secondLogin.accessToken)).toBe(oldNext);
      const response = await resourceMe(stack, secondLogin.accessToken);
      expect(response.status).toBe(200);
      expect(response.body.sub).toBe(alice.user.id);
    });

    it('revoking the retiring key stops its tokens at the auth-service at once and drops it from the JWKS', async () => {
      const [retiring] = withStatus(keysAtStart, 'active');
      const response = await request('POST', `${stack.auth.url}/admin/keys/${retiring}/revoke`, {
        bearer: adminToken,
      });
      expect(response.status).toBe(200);
      // The admin's own token was signed by the revoked key too.
      expect((await authMe(stack, adminToken)).status).toBe(401);
      adminToken = (await login(stack, stack.admin)).accessToken;
      expect(withStatus(await adminKeys(adminToken), 'revoked')).toContain(retiring);
      expect((await jwks()).body.keys.map((key) => key['kid'])).not.toContain(retiring);
      const refused = await authMe(stack, first.accessToken);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      expect((await authMe(stack, secondLogin.accessToken)).status).toBe(200);
    });

    it('a key the resource-service has never seen is fetched from the JWKS on first use', async () => {
      const unseen = withStatus(await adminKeys(adminToken), 'next')[0];
      expect((await rotate(adminToken, true)).status).toBe(201);
      const third = await login(stack, alice);
      expect(kidOf(third.accessToken)).toBe(unseen);
      const response = await resourceMe(stack, third.accessToken);
      expect(response.status).toBe(200);
      expect((await resourceMe(stack, secondLogin.accessToken)).status).toBe(200);
    });

    it('logout with a refresh token answers 204 and that token is dead afterwards (401)', async () => {
      const response = await request('POST', `${stack.auth.url}/auth/logout`, {
        json: { refreshToken: second.refreshToken },
      });
      expect(response.status).toBe(204);
      expect((await refresh(stack, second.refreshToken)).status).toBe(401);
      const unknown = await request('POST', `${stack.auth.url}/auth/logout`, {
        json: { refreshToken: 'rt_this-token-was-never-issued-by-the-e2e-suite-000000' },
      });
      expect(unknown.status).toBe(204);
      // Another login's family is untouched.
      expect((await refresh(stack, secondLogin.refreshToken)).status).toBe(200);
    });
  });
});
