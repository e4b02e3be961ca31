import type { DocumentResponse, ErrorResponse, MeResponse } from './support/api';
import { login, registerUser } from './support/api';
import type { ApiKeyListItem, ApiKeyUsage } from './support/api-keys';
import { createApiKey, pollUntil, rotateApiKey, withApiKey } from './support/api-keys';
import { request } from './support/http';
import type { Stack } from './support/stack';
import { startStack } from './support/stack';

/** The resource-service caches introspection answers this long (API_KEY_CACHE_TTL). */
const CACHE_TTL_MS = 1_000;
/** How long a revoked or expired key may keep working there: the TTL, plus a margin. */
const STOPS_WITHIN_MS = 3_000;

function mistype(key: string): string {
  return `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
}

describe('API keys end to end: create, use, rotate, revoke, scopes, usage', () => {
  let stack: Stack;
  let owner: { id: string; accessToken: string };

  const me = (key: string) => withApiKey<MeResponse>('GET', `${stack.resource.url}/me`, key);
  /** Polls GET /me until the key is refused; resolves with the status and how long it took. */
  const refusedWithin = async (key: string) => {
    const { result, elapsedMs } = await pollUntil(
      () => me(key),
      (response) => response.status !== 200,
      STOPS_WITHIN_MS,
    );
    return { status: result.status, elapsedMs };
  };

  beforeAll(async () => {
    stack = await startStack({
      label: 'api-keys',
      resourceEnv: { API_KEY_CACHE_TTL: `${CACHE_TTL_MS / 1000}s` },
    });
    const user = await registerUser(stack, 'Key Owner');
    owner = { id: user.user.id, accessToken: (await login(stack, user)).accessToken };
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates a key with a bearer token and uses it at the resource-service', async () => {
    const created = await createApiKey(stack, owner.accessToken, { name: 'ci' });
    expect(created.key).toMatch(/^sk_live_[0-9A-Za-z]{49}$/);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    const whoami = await me(created.key);
    expect(whoami.status).toBe(200);
    expect(whoami.body).toEqual({
      sub: owner.id,
      roles: [],
      scope: created.scopes.join(' '),
      authType: 'api_key',
      environment: 'live',
    });
    // RateLimit-* appear once half of the key's window (600 a minute) is used.
    expect(whoami.headers.get('ratelimit-limit')).toBeNull();
    expect(whoami.headers.get('ratelimit-remaining')).toBeNull();
    const list = await withApiKey<DocumentResponse[]>(
      'GET',
      `${stack.resource.url}/documents`,
      created.key,
    );
    expect(list.status).toBe(200);
    const doc = await withApiKey<DocumentResponse>(
      'POST',
      `${stack.resource.url}/documents`,
      created.key,
      { title: 'Written with a key', body: '' },
    );
    expect(doc.status).toBe(201);
    expect(doc.body.ownerId).toBe(owner.id);
    const listed = await request<ApiKeyListItem[]>('GET', `${stack.auth.url}/api-keys`, {
      bearer: owner.accessToken,
    });
    expect(listed.text).not.toContain(created.key);
  });

  it('refuses a mistyped key (bad checksum) and ignores a key in the query string', async () => {
    const { key } = await createApiKey(stack, owner.accessToken);
    const mistyped = await me(mistype(key));
    expect(mistyped.status).toBe(401);
    expect(mistyped.text).toContain('invalid_api_key');
    for (const query of [`api_key=${key}`, `x-api-key=${key}`, `apiKey=${key}`]) {
      const response = await request<ErrorResponse>('GET', `${stack.resource.url}/me?${query}`);
      expect(response.status).toBe(401);
      expect(response.text).not.toContain(key);
    }
  });

  it('holds keys to their scopes: a read-only key gets 403 on POST /documents', async () => {
    for (const input of [
      { type: 'pk' as const },
      { type: 'sk' as const, scopes: ['documents:read'] },
    ]) {
      const { key, scopes } = await createApiKey(stack, owner.accessToken, input);
      expect(scopes).not.toContain('documents:write');
      expect((await withApiKey('GET', `${stack.resource.url}/documents`, key)).status).toBe(200);
      const write = await withApiKey('POST', `${stack.resource.url}/documents`, key, {
        title: 'no',
        body: '',
      });
      expect(write.status).toBe(403);
      expect(write.body['error']).toBe('insufficient_scope');
    }
  });

  it('keeps both keys working during a rotation grace period', async () => {
    const old = await createApiKey(stack, owner.accessToken);
    const rotated = await rotateApiKey(stack, owner.accessToken, old.id, 600);
    expect(rotated.key).not.toBe(old.key);
    expect((await me(old.key)).status).toBe(200);
    expect((await me(rotated.key)).status).toBe(200);
  });

  it('stops the old key within the cache TTL after a rotation without grace', async () => {
    const old = await createApiKey(stack, owner.accessToken);
    expect((await me(old.key)).status).toBe(200); // now cached at the resource-service
    const rotated = await rotateApiKey(stack, owner.accessToken, old.id, 0);
    const { status, elapsedMs } = await refusedWithin(old.key);
    expect(status).toBe(401);
    expect(elapsedMs).toBeLessThanOrEqual(STOPS_WITHIN_MS);
    expect((await me(rotated.key)).status).toBe(200);
  });

  it('stops a revoked key within the cache TTL', async () => {
    const created = await createApiKey(stack, owner.accessToken);
    expect((await me(created.key)).status).toBe(200);
    const revoked = await request('DELETE', `${stack.auth.url}/api-keys/${created.id}`, {
      bearer: owner.accessToken,
    });
    expect(revoked.status).toBe(204);
    const { status, elapsedMs } = await refusedWithin(created.key);
    expect(status).toBe(401);
    expect(elapsedMs).toBeLessThanOrEqual(STOPS_WITHIN_MS);
  });

  // Last: it stops the resource-service, whose shutdown sends the final usage report.
  it('reports usage: the counts show in GET /api-keys/:id/usage after a flush', async () => {
    const created = await createApiKey(stack, owner.accessToken);
    for (let i = 0; i < 4; i++) expect((await me(created.key)).status).toBe(200);
    const stopped = await stack.resource.process.stop();
    expect(stopped.forced).toBe(false);
    const usage = await request<ApiKeyUsage>(
      'GET',
      `${stack.auth.url}/api-keys/${created.id}/usage`,
      { bearer: owner.accessToken },
    );
    expect(usage.status).toBe(200);
    expect(usage.body).toEqual({
      id: created.id,
      days: [{ day: new Date().toISOString().slice(0, 10), count: 4 }],
    });
    const listed = await request<ApiKeyListItem[]>('GET', `${stack.auth.url}/api-keys`, {
      bearer: owner.accessToken,
    });
    const item = listed.body.find((key) => key.id === created.id);
    expect(item?.lastUsedAt).not.toBeNull();
  });
});
