import * as oidc from 'openid-client';
import type { MeResponse } from './support/api';
import { login, registerUser, resourceMe } from './support/api';
import { createApiKey, pollUntil, withApiKey } from './support/api-keys';
import { request } from './support/http';
import type { ClientPair, Stack } from './support/stack';
import { startStack } from './support/stack';

/** The resource-service caches API-key answers this long (API_KEY_CACHE_TTL). */
const CACHE_TTL_SECONDS = 1;

/**
 * A standard OAuth client library (openid-client 6, unmodified) against the running processes:
 * discovery, client credentials, introspection and revocation as a third-party service would use them.
 */
describe('openid-client against the running auth-service and resource-service', () => {
  let stack: Stack;
  let config: oidc.Configuration;
  let reporting: ClientPair;

  function discover(client: ClientPair, auth?: oidc.ClientAuth): Promise<oidc.Configuration> {
    return oidc.discovery(new URL(stack.issuer), client.id, client.secret, auth, {
      execute: [oidc.allowInsecureRequests],
    });
  }

  beforeAll(async () => {
    stack = await startStack({
      label: 'oauth-clients',
      resourceEnv: { API_KEY_CACHE_TTL: `${CACHE_TTL_SECONDS}s` },
    });
    // A second client, made by an admin, with a scope of its own.
    const admin = await login(stack, stack.admin);
    const created = await request<{ clientId: string; clientSecret: string }>(
      'POST',
      `${stack.auth.url}/admin/clients`,
      { bearer: admin.accessToken, json: { name: 'Reporting', scopes: ['documents:read'] } },
    );
    expect(created.status).toBe(201);
    reporting = { id: created.body.clientId, secret: created.body.clientSecret };
    config = await discover(reporting);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('discovers the endpoints from the issuer', () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(stack.issuer);
    expect(metadata.token_endpoint).toBe(`${stack.issuer}/oauth/token`);
    expect(metadata.introspection_endpoint).toBe(`${stack.issuer}/oauth/introspect`);
    expect(metadata.revocation_endpoint).toBe(`${stack.issuer}/oauth/revoke`);
  });

  it('gets a client-credentials token that the resource-service accepts as the client', async () => {
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.scope).toBe('documents:read');
    const me = await resourceMe(stack, tokens.access_token);
    expect(me.status).toBe(200);
    expect(me.body).toEqual<MeResponse>({
      sub: reporting.id,
      roles: [],
      scope: 'documents:read',
      authType: 'jwt',
    });
    const documents = await request('GET', `${stack.resource.url}/documents`, {
      bearer: tokens.access_token,
    });
    expect(documents.status).toBe(200);
    const write = await request('POST', `${stack.resource.url}/documents`, {
      bearer: tokens.access_token,
      json: { title: 'no', body: '' },
    });
    expect(write.status).toBe(403);
  });

  it('works with client_secret_basic too (the bootstrap client of the resource-service)', async () => {
    const basic = await discover(stack.client, oidc.ClientSecretBasic(stack.client.secret));
    const tokens = await oidc.clientCredentialsGrant(basic);
    expect((await resourceMe(stack, tokens.access_token)).body.sub).toBe(stack.client.id);
  });

  it('introspects an access token, a refresh token and an API key', async () => {
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({
      active: true,
      token_type: 'access_token',
      sub: reporting.id,
      client_id: reporting.id,
      scope: 'documents:read',
    });
    const user = await registerUser(stack);
    const pair = await login(stack, user);
    expect(await oidc.tokenIntrospection(config, pair.refreshToken)).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      sub: user.user.id,
    });
    const apiKey = await createApiKey(stack, pair.accessToken, { rateLimit: 77 });
    const answer = await oidc.tokenIntrospection(config, apiKey.key);
    expect(answer).toMatchObject({
      active: true,
      token_type: 'api_key',
      sub: user.user.id,
      scope: apiKey.scopes.join(' '),
      key_id: apiKey.id,
      rate_limit: 77,
      roles: [],
    });
    expect(JSON.stringify(answer)).not.toContain(apiKey.key);
  });

  it('revokes a refresh token: introspection says inactive and it no longer refreshes', async () => {
    const user = await registerUser(stack);
    const pair = await login(stack, user);
    await oidc.tokenRevocation(config, pair.refreshToken);
    expect(await oidc.tokenIntrospection(config, pair.refreshToken)).toEqual({ active: false });
    const refreshed = await request('POST', `${stack.auth.url}/auth/refresh`, {
      json: { refreshToken: pair.refreshToken },
    });
    expect(refreshed.status).toBe(401);
  });

  it('revokes an API key: it stops at the resource-service within the cache TTL', async () => {
    const user = await registerUser(stack);
    const { accessToken } = await login(stack, user);
    const { key } = await createApiKey(stack, accessToken);
    const me = () => withApiKey<MeResponse>('GET', `${stack.resource.url}/me`, key);
    expect((await me()).body.authType).toBe('api_key'); // cached there now
    await oidc.tokenRevocation(config, key);
    expect(await oidc.tokenIntrospection(config, key)).toEqual({ active: false });
    const limitMs = CACHE_TTL_SECONDS * 1000 + 2_000;
    const { result, elapsedMs } = await pollUntil(
      me,
      (response) => response.status !== 200,
      limitMs,
    );
    expect(result.status).toBe(401);
    expect(elapsedMs).toBeLessThanOrEqual(limitMs);
  });
});
