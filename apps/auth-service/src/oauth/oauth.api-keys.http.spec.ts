import request from 'supertest';
import type { RunningAuthService } from './oauth.test-kit';
import { BOOT_TIMEOUT_MS, startAuthService } from './oauth.test-kit';

/* API keys through /oauth/introspect and /oauth/revoke. */

const SERVICE = { id: 'resource-service', secret: 'resource-service-dev-secret' };
const USER = { email: 'key-owner@example.test', password: 'user-password-1' };

describe('OAuth endpoints with API keys', () => {
  let service: RunningAuthService;
  let apiKey: string;

  beforeAll(async () => {
    service = await startAuthService({ BOOTSTRAP_CLIENTS: `${SERVICE.id}:${SERVICE.secret}` });
    await request(service.issuer).post('/auth/register').send(USER).expect(201);
    const login = await request(service.issuer).post('/auth/login').send(USER).expect(200);
    const created = await request(service.issuer)
      .post('/api-keys')
      .set('Authorization', `Bearer ${login.body.accessToken}`)
      .send({ name: 'ci' })
      .expect(201);
    apiKey = created.body.key;
  }, BOOT_TIMEOUT_MS);
  afterAll(() => service?.close());

  function call(path: string, token: string) {
    return request(service.issuer)
      .post(path)
      .auth(SERVICE.id, SERVICE.secret)
      .type('form')
      .send({ token, token_type_hint: 'api_key' })
      .expect(200);
  }

  it('introspects a live API key, then revokes it', async () => {
    expect((await call('/oauth/introspect', apiKey)).body).toMatchObject({
      active: true,
      token_type: 'api_key',
    });
    await call('/oauth/revoke', apiKey);
    expect((await call('/oauth/introspect', apiKey)).body).toEqual({ active: false });
  });

  it('answers {active: false} for a well-formed key that does not exist', async () => {
    const forged = `${apiKey.slice(0, -10)}AAAAAAAAAA`;
    expect((await call('/oauth/introspect', forged)).body).toEqual({ active: false });
    await call('/oauth/revoke', forged);
  });
});
