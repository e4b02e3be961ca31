import * as oidc from 'openid-client';
import request from 'supertest';
import type { RunningAuthService } from './oauth.test-kit';
import { BOOT_TIMEOUT_MS, startAuthService } from './oauth.test-kit';

/*
 * Black-box: the auth-service driven by openid-client 6, unmodified, as a real service would use it.
 * openid-client's default client authentication is client_secret_post; one client below uses
 * client_secret_basic with characters that must be form-urlencoded.
 */

const SERVICE = { id: 'resource-service', secret: 'resource-service-dev-secret' };
const ODD = { id: 'odd.client~1', secret: 'p@ss+w%rd!(with)*chars~' };
const ADMIN = { email: 'admin@example.test', password: 'admin-password-1' };
const USER = { email: 'user@example.test', password: 'user-password-1' };

describe('OAuth endpoints with openid-client', () => {
  let service: RunningAuthService;
  let config: oidc.Configuration;

  beforeAll(async () => {
    service = await startAuthService({
      BOOTSTRAP_CLIENTS: `${SERVICE.id}:${SERVICE.secret}:documents:read documents:write,${ODD.id}:${ODD.secret}:reports`,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    });
    config = await discover(SERVICE.id, SERVICE.secret);
  }, BOOT_TIMEOUT_MS);
  afterAll(() => service?.close());

  function discover(
    id: string,
    secret: string,
    auth?: oidc.ClientAuth,
  ): Promise<oidc.Configuration> {
    return oidc.discovery(new URL(service.issuer), id, secret, auth, {
      execute: [oidc.allowInsecureRequests],
    });
  }

  async function login(credentials: {
    email: string;
    password: string;
  }): Promise<{ accessToken: string; refreshToken: string }> {
    const response = await request(service.issuer)
      .post('/auth/login')
      .send(credentials)
      .expect(200);
    return response.body;
  }

  async function oauthError(promise: Promise<unknown>): Promise<{ error: string; status: number }> {
    const error: unknown = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (!(error instanceof oidc.ResponseBodyError))
      throw error ?? new Error('expected an OAuth error');
    return { error: error.error, status: error.status };
  }

  it('discovers the token, introspection and revocation endpoints', () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(service.issuer);
    expect(metadata.token_endpoint).toBe(`${service.issuer}/oauth/token`);
    expect(metadata.introspection_endpoint).toBe(`${service.issuer}/oauth/introspect`);
    expect(metadata.revocation_endpoint).toBe(`${service.issuer}/oauth/revoke`);
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining(['client_credentials', 'refresh_token']),
    );
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
    );
  });

  it('issues a client-credentials token and introspects it', async () => {
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'documents:read' });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('documents:read');
    expect(tokens.expires_in).toBe(service.config.accessTokenTtl);
    expect(tokens.refresh_token).toBeUndefined();
    const claims = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(claims).toMatchObject({
      active: true,
      token_type: 'access_token',
      sub: SERVICE.id,
      client_id: SERVICE.id,
      scope: 'documents:read',
      iss: service.issuer,
      aud: service.config.audience,
      roles: [],
    });
    expect(typeof claims.jti).toBe('string');
    expect(claims.exp).toBe((claims.iat as number) + service.config.accessTokenTtl);
  });

  it('grants every scope of the client when none is asked for', async () => {
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.scope).toBe('documents:read documents:write');
  });

  it('authenticates with client_secret_basic and form-urlencoded credentials', async () => {
    const basic = await discover(ODD.id, ODD.secret, oidc.ClientSecretBasic(ODD.secret));
    const tokens = await oidc.clientCredentialsGrant(basic);
    expect(tokens.scope).toBe('reports');
    expect(await oidc.tokenIntrospection(basic, tokens.access_token)).toMatchObject({
      active: true,
      sub: ODD.id,
    });
  });

  it('refuses a wrong secret with invalid_client', async () => {
    const wrong = await discover(SERVICE.id, 'not-the-secret');
    expect(await oauthError(oidc.clientCredentialsGrant(wrong))).toEqual({
      error: 'invalid_client',
      status: 401,
    });
    expect(await oauthError(oidc.tokenIntrospection(wrong, 'x'))).toEqual({
      error: 'invalid_client',
      status: 401,
    });
  });

  it('introspects, refreshes and revokes a user refresh token', async () => {
    const { refreshToken } = await login(ADMIN);
    const before = await oidc.tokenIntrospection(config, refreshToken);
    expect(before).toMatchObject({ active: true, token_type: 'refresh_token', scope: '' });
    expect(typeof before.sub).toBe('string');
    expect(typeof before.sid).toBe('string');

    const rotated = await oidc.refreshTokenGrant(config, refreshToken);
    expect(rotated.refresh_token).toMatch(/^rt_/);
    expect(rotated.refresh_token).not.toBe(refreshToken);
    expect(await oidc.tokenIntrospection(config, refreshToken)).toEqual({ active: false });
    const access = await oidc.tokenIntrospection(config, rotated.access_token);
    expect(access).toMatchObject({
      active: true,
      sub: before.sub,
      sid: before.sid,
      roles: ['admin', 'user'],
    });

    await oidc.tokenRevocation(config, rotated.refresh_token as string);
    expect(await oidc.tokenIntrospection(config, rotated.refresh_token as string)).toEqual({
      active: false,
    });
    expect(
      await oauthError(oidc.refreshTokenGrant(config, rotated.refresh_token as string)),
    ).toEqual({
      error: 'invalid_grant',
      status: 400,
    });
  });

  it('answers {active: false} for unknown, malformed and forged tokens', async () => {
    for (const token of [
      `rt_${'A'.repeat(43)}`,
      'garbage',
      'a.b.c',
      'sk_live_nothing',
      `${'x'.repeat(9000)}`,
    ]) {
      expect(await oidc.tokenIntrospection(config, token)).toEqual({ active: false });
    }
  });

  it('revokes unknown tokens and access tokens with 200', async () => {
    const tokens = await oidc.clientCredentialsGrant(config);
    await expect(oidc.tokenRevocation(config, `rt_${'B'.repeat(43)}`)).resolves.toBeUndefined();
    await expect(oidc.tokenRevocation(config, tokens.access_token)).resolves.toBeUndefined();
  });

  it('lets an admin create, list and revoke clients; a revoked client stops at once', async () => {
    const admin = `Bearer ${(await login(ADMIN)).accessToken}`;
    const created = await request(service.issuer)
      .post('/admin/clients')
      .set('Authorization', admin)
      .send({ name: 'Billing', scopes: ['invoices:read'] })
      .expect(201);
    expect(created.body).toEqual({
      clientId: expect.stringMatching(/^svc_/),
      clientSecret: expect.stringMatching(/^cs_/),
      name: 'Billing',
      type: 'service',
      scopes: ['invoices:read'],
      redirectUris: [],
      postLogoutRedirectUris: [],
      firstParty: false,
      backchannelLogoutUri: null,
    });
    const billing = await discover(created.body.clientId, created.body.clientSecret);
    const tokens = await oidc.clientCredentialsGrant(billing);
    expect(tokens.scope).toBe('invoices:read');

    const listed = await request(service.issuer)
      .get('/admin/clients')
      .set('Authorization', admin)
      .expect(200);
    expect(listed.body.map((client: { clientId: string }) => client.clientId)).toContain(
      created.body.clientId,
    );
    expect(JSON.stringify(listed.body)).not.toContain(created.body.clientSecret);

    await request(service.issuer)
      .delete(`/admin/clients/${created.body.clientId}`)
      .set('Authorization', admin)
      .expect(204);
    expect(await oauthError(oidc.clientCredentialsGrant(billing))).toEqual({
      error: 'invalid_client',
      status: 401,
    });
    expect(await oidc.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
    await request(service.issuer)
      .delete('/admin/clients/svc_unknown')
      .set('Authorization', admin)
      .expect(404);
  });

  it('keeps /admin/clients for admins', async () => {
    await request(service.issuer).post('/auth/register').send(USER).expect(201);
    const user = `Bearer ${(await login(USER)).accessToken}`;
    await request(service.issuer).get('/admin/clients').expect(401);
    await request(service.issuer).get('/admin/clients').set('Authorization', user).expect(403);
    const clientToken = (await oidc.clientCredentialsGrant(config)).access_token;
    await request(service.issuer)
      .get('/admin/clients')
      .set('Authorization', `Bearer ${clientToken}`)
      .expect(403);
  });
});
