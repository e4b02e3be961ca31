import { respellings } from '@keycard/testing';
import request from 'supertest';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import type { RunningAuthService } from './oauth.test-kit';
import { BOOT_TIMEOUT_MS, startAuthService } from './oauth.test-kit';

/* The OAuth endpoints' error answers, headers and client binding, over plain HTTP. */

const SERVICE = { id: 'resource-service', secret: 'resource-service-dev-secret' };
const OTHER = { id: 'other-service', secret: 'other-service-dev-secret1' };
const USER = { email: 'someone@example.test', password: 'user-password-1' };

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

describe('OAuth endpoints over HTTP', () => {
  let service: RunningAuthService;
  let userId: string;

  beforeAll(async () => {
    service = await startAuthService({
      BOOTSTRAP_CLIENTS: `${SERVICE.id}:${SERVICE.secret}:documents:read,${OTHER.id}:${OTHER.secret}`,
      REFRESH_REUSE_INTERVAL: '0',
    });
    userId = (await request(service.issuer).post('/auth/register').send(USER).expect(201)).body.id;
  }, BOOT_TIMEOUT_MS);
  afterAll(() => service?.close());

  function token(form: Record<string, string>, authorization = basic(SERVICE.id, SERVICE.secret)) {
    return request(service.issuer)
      .post('/oauth/token')
      .set('Authorization', authorization)
      .type('form')
      .send(form);
  }

  async function userRefreshToken(): Promise<string> {
    const response = await request(service.issuer).post('/auth/login').send(USER).expect(200);
    return response.body.refreshToken;
  }

  function expectOAuthError(response: request.Response, status: number, error: string): void {
    expect({ status: response.status, error: response.body.error }).toEqual({ status, error });
    expect(typeof response.body.error_description).toBe('string');
  }

  it('answers 200 with no-store headers and the RFC 6749 fields', async () => {
    const response = await token({ grant_type: 'client_credentials' }).expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['pragma']).toBe('no-cache');
    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: service.config.accessTokenTtl,
      scope: 'documents:read',
    });
  });

  it('accepts JSON bodies too', async () => {
    const response = await request(service.issuer)
      .post('/oauth/token')
      .send({
        grant_type: 'client_credentials',
        client_id: SERVICE.id,
        client_secret: SERVICE.secret,
      })
      .expect(200);
    expect(response.body.scope).toBe('documents:read');
  });

  it.each([
    ['a wrong secret over Basic', basic(SERVICE.id, 'wrong-secret')],
    ['an unknown client over Basic', basic('nobody', SERVICE.secret)],
    ['a malformed Basic header', 'Basic !!!'],
  ])('refuses %s: 401 invalid_client with WWW-Authenticate', async (_case, authorization) => {
    const response = await token({ grant_type: 'client_credentials' }, authorization);
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers['www-authenticate']).toBe('Basic realm="keycard"');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(JSON.stringify(response.body)).not.toContain('wrong-secret');
  });

  it('refuses a wrong client_secret_post secret with 401 invalid_client', async () => {
    const response = await request(service.issuer).post('/oauth/token').type('form').send({
      grant_type: 'client_credentials',
      client_id: SERVICE.id,
      client_secret: 'wrong-secret',
    });
    expectOAuthError(response, 401, 'invalid_client');
  });

  it('refuses client_credentials without client authentication', async () => {
    const response = await request(service.issuer)
      .post('/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials' });
    expectOAuthError(response, 401, 'invalid_client');
  });

  it.each([
    ['a missing grant_type', 400, 'invalid_request', {}],
    ['an unknown grant_type', 400, 'unsupported_grant_type', { grant_type: 'password' }],
    [
      'a scope the client does not have',
      400,
      'invalid_scope',
      { grant_type: 'client_credentials', scope: 'documents:write' },
    ],
    [
      'a malformed scope',
      400,
      'invalid_scope',
      { grant_type: 'client_credentials', scope: 'bad"scope' },
    ],
    [
      'both Basic and client_secret_post',
      400,
      'invalid_request',
      { grant_type: 'client_credentials', client_id: SERVICE.id, client_secret: SERVICE.secret },
    ],
    [
      'a refresh grant without refresh_token',
      400,
      'invalid_request',
      { grant_type: 'refresh_token' },
    ],
    [
      'a malformed refresh token',
      400,
      'invalid_grant',
      { grant_type: 'refresh_token', refresh_token: 'rt_nope' },
    ],
    [
      'an unknown refresh token',
      400,
      'invalid_grant',
      { grant_type: 'refresh_token', refresh_token: `rt_${'C'.repeat(43)}` },
    ],
  ])('answers %s with %i %s', async (_case, status, error, form) => {
    expectOAuthError(await token(form as Record<string, string>), status, error);
  });

  it('refuses a repeated parameter with invalid_request', async () => {
    const response = await request(service.issuer)
      .post('/oauth/token')
      .set('Authorization', basic(SERVICE.id, SERVICE.secret))
      .type('form')
      .send('grant_type=client_credentials&grant_type=client_credentials');
    expectOAuthError(response, 400, 'invalid_request');
  });

  it('refreshes a user token without client authentication, and treats reuse as invalid_grant', async () => {
    const refreshToken = await userRefreshToken();
    const form = { grant_type: 'refresh_token', refresh_token: refreshToken };
    const first = await request(service.issuer)
      .post('/oauth/token')
      .type('form')
      .send(form)
      .expect(200);
    expect(first.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: service.config.accessTokenTtl,
      refresh_token: expect.stringMatching(/^rt_/),
      scope: '',
    });
    expect(first.headers['cache-control']).toBe('no-store');
    expectOAuthError(
      await request(service.issuer).post('/oauth/token').type('form').send(form),
      400,
      'invalid_grant',
    );
    const successor = { grant_type: 'refresh_token', refresh_token: first.body.refresh_token };
    expectOAuthError(
      await request(service.issuer).post('/oauth/token').type('form').send(successor),
      400,
      'invalid_grant',
    );
  });

  it('refuses a refresh with bad client credentials even for an unbound token', async () => {
    const form = { grant_type: 'refresh_token', refresh_token: await userRefreshToken() };
    expectOAuthError(await token(form, basic(SERVICE.id, 'wrong-secret')), 401, 'invalid_client');
    await token(form).expect(200);
  });

  it('refreshes a token bound to a client only for that client', async () => {
    const { refreshToken } = await service.app
      .get(RefreshTokensService)
      .start(userId, { clientId: SERVICE.id, scope: 'documents:read' });
    const form = { grant_type: 'refresh_token', refresh_token: refreshToken };
    const asOther = (path: string, body: Record<string, string>) =>
      request(service.issuer)
        .post(path)
        .set('Authorization', basic(OTHER.id, OTHER.secret))
        .type('form')
        .send(body);
    expectOAuthError(
      await request(service.issuer).post('/oauth/token').type('form').send(form),
      400,
      'invalid_grant',
    );
    expectOAuthError(await asOther('/oauth/token', form), 400, 'invalid_grant');
    expectOAuthError(await token({ ...form, scope: 'documents:write' }), 400, 'invalid_scope');
    // Another client cannot revoke it either, and is not told so.
    await asOther('/oauth/revoke', { token: refreshToken }).expect(200);
    expect(
      (await asOther('/oauth/introspect', { token: refreshToken }).expect(200)).body,
    ).toMatchObject({
      active: true,
      client_id: SERVICE.id,
      scope: 'documents:read',
      sub: userId,
    });
    const refreshed = await token({ ...form, scope: 'documents:read' }).expect(200);
    expect(refreshed.body.scope).toBe('documents:read');
    const access = await asOther('/oauth/introspect', {
      token: refreshed.body.access_token,
    }).expect(200);
    expect(access.body).toMatchObject({
      active: true,
      sub: userId,
      client_id: SERVICE.id,
      scope: 'documents:read',
    });
  });

  it('requires client authentication for introspection and revocation', async () => {
    for (const path of ['/oauth/introspect', '/oauth/revoke']) {
      const response = await request(service.issuer).post(path).type('form').send({ token: 'x' });
      expectOAuthError(response, 401, 'invalid_client');
      expect(response.headers['www-authenticate']).toBe('Basic realm="keycard"');
    }
  });

  it('refuses introspection and revocation without a token parameter', async () => {
    for (const path of ['/oauth/introspect', '/oauth/revoke']) {
      const response = await request(service.issuer)
        .post(path)
        .set('Authorization', basic(SERVICE.id, SERVICE.secret))
        .type('form')
        .send({ token_type_hint: 'refresh_token' });
      expectOAuthError(response, 400, 'invalid_request');
    }
  });

  it('introspects an access token only as issued: its 15 respelled twins are inactive', async () => {
    const accessToken: string = (await token({ grant_type: 'client_credentials' }).expect(200)).body
      .access_token;
    const introspect = async (presented: string) =>
      (
        await request(service.issuer)
          .post('/oauth/introspect')
          .set('Authorization', basic(OTHER.id, OTHER.secret))
          .type('form')
          .send({ token: presented })
          .expect(200)
      ).body as { active: boolean };
    expect(await introspect(accessToken)).toMatchObject({ active: true });
    const cut = accessToken.lastIndexOf('.');
    const twins = respellings(accessToken.slice(cut + 1)).map(
      (signature) => `${accessToken.slice(0, cut)}.${signature}`,
    );
    expect(twins).toHaveLength(15);
    const answers = [];
    for (const twin of twins) answers.push(await introspect(twin));
    expect(answers).toEqual(twins.map(() => ({ active: false })));
  });

  it('introspects with no-store and revokes a user refresh token family', async () => {
    const refreshToken = await userRefreshToken();
    const introspect = () =>
      request(service.issuer)
        .post('/oauth/introspect')
        .set('Authorization', basic(OTHER.id, OTHER.secret))
        .type('form')
        .send({ token: refreshToken, token_type_hint: 'access_token' });
    const active = await introspect().expect(200);
    expect(active.headers['cache-control']).toBe('no-store');
    expect(active.body).toMatchObject({ active: true, token_type: 'refresh_token' });
    await request(service.issuer)
      .post('/oauth/revoke')
      .set('Authorization', basic(OTHER.id, OTHER.secret))
      .type('form')
      .send({ token: refreshToken })
      .expect(200);
    expect((await introspect().expect(200)).body).toEqual({ active: false });
  });
});
