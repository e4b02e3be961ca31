import { KeycardAuthModule } from '@keycard/auth';
import { ManualClock } from '@keycard/common';
import { bearer } from '@keycard/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import { createTestApp } from '../testing/test-app';
import { testAuthConfig } from '../testing/test-config';
import { KeyGenerator } from './key-material';
import { KeysModule } from './keys.module';
import { KeysService } from './keys.service';
import { TestGlobalsModule } from '../testing/test-globals';
import { RECORDER_ENTITIES, TestRecordersModule } from '../testing/test-recorders';
import { PooledKeyGenerator } from './keys.test-kit';
import { SigningKeyEntity } from './signing-key.entity';

const ISSUER = 'https://id.example.test';

// Key generation and scrypt are CPU-bound: leave room for a busy machine.
jest.setTimeout(60_000);

describe('keys over HTTP', () => {
  const config = testAuthConfig({ AUTH_ISSUER: ISSUER, JWKS_MAX_AGE: '120s' });
  const clock = new ManualClock();
  let app: INestApplication;
  let keys: KeysService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TestGlobalsModule.with(config, clock),
        TestRecordersModule.forRoot(),
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: ':memory:',
          entities: [SigningKeyEntity, ...RECORDER_ENTITIES],
          synchronize: true,
        }),
        KeysModule,
        KeycardAuthModule.forRootAsync({
          imports: [KeysModule],
          inject: [KeysService],
          useFactory: (service: KeysService) => ({
            issuer: ISSUER,
            audience: config.audience,
            tokenCacheMaxEntries: 0,
            keyResolver: { getKey: (kid: string) => service.getVerificationKey(kid) },
          }),
        }),
      ],
    })
      .overrideProvider(KeyGenerator)
      .useClass(PooledKeyGenerator)
      .compile();
    app = await createTestApp(moduleRef, undefined, 'http');
    keys = app.get(KeysService);
  });
  afterAll(() => app.close());

  async function bearerFor(roles: string[]): Promise<string> {
    const claims = { iss: ISSUER, aud: config.audience, sub: 'user-1', roles };
    return bearer(await keys.getSigningKey(), claims, { ttlSeconds: 60 });
  }

  it('serves the JWKS publicly, cacheable for JWKS_MAX_AGE, without private members', async () => {
    const response = await request(app.getHttpServer()).get('/.well-known/jwks.json').expect(200);
    expect(response.headers['cache-control']).toBe('public, max-age=120');
    expect(response.body.keys).toHaveLength(2);
    for (const key of response.body.keys as Record<string, unknown>[]) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    }
  });

  it.each(['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'])(
    'serves the discovery document at %s',
    async (path) => {
      const response = await request(app.getHttpServer()).get(path).expect(200);
      expect(response.headers['cache-control']).toBe('public, max-age=120');
      expect(response.body).toMatchObject({
        issuer: ISSUER,
        jwks_uri: `${ISSUER}/.well-known/jwks.json`,
        token_endpoint: `${ISSUER}/oauth/token`,
        introspection_endpoint: `${ISSUER}/oauth/introspect`,
        revocation_endpoint: `${ISSUER}/oauth/revoke`,
        authorization_endpoint: `${ISSUER}/oauth/authorize`,
        userinfo_endpoint: `${ISSUER}/oauth/userinfo`,
        end_session_endpoint: `${ISSUER}/oauth/logout`,
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
        token_endpoint_auth_methods_supported: [
          'client_secret_basic',
          'client_secret_post',
          'none',
        ],
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        backchannel_logout_supported: true,
        backchannel_logout_session_supported: true,
        authorization_response_iss_parameter_supported: true,
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    },
  );

  it.each([
    ['get', '/admin/keys'],
    ['post', '/admin/keys/rotate?force=true'],
    ['post', '/admin/keys/some-kid/revoke'],
  ] as const)('%s %s needs a token (401) with role admin (403)', async (method, path) => {
    await request(app.getHttpServer())[method](path).expect(401);
    await request(app.getHttpServer())
      [method](path)
      .set('Authorization', await bearerFor(['user']))
      .expect(403);
  });

  it('lists, refuses an early rotation with 409, rotates when forced, validates force', async () => {
    const admin = await bearerFor(['admin']);
    const server = app.getHttpServer();
    const list = await request(server).get('/admin/keys').set('Authorization', admin).expect(200);
    expect(list.body.map((key: { status: string }) => key.status).sort()).toEqual([
      'active',
      'next',
    ]);
    const early = await request(server)
      .post('/admin/keys/rotate')
      .set('Authorization', admin)
      .expect(409);
    expect(early.body).toMatchObject({
      error: 'too_early',
      retryAfter: 120,
      message: expect.stringMatching(/120 s/),
    });
    await request(server)
      .post('/admin/keys/rotate?force=maybe')
      .set('Authorization', admin)
      .expect(400);
    const rotated = await request(server)
      .post('/admin/keys/rotate?force=true')
      .set('Authorization', admin)
      .expect(201);
    expect(rotated.body.retiring.status).toBe('retiring');
  });

  it('revokes: 200 with the listing, the token it signed stops working at once; 404 for an unknown kid', async () => {
    const server = app.getHttpServer();
    const admin = await bearerFor(['admin']);
    const { kid } = await keys.getSigningKey();
    const response = await request(server)
      .post(`/admin/keys/${kid}/revoke`)
      .set('Authorization', admin)
      .expect(200);
    expect(response.body).toMatchObject({ kid, status: 'revoked' });
    await request(server).get('/admin/keys').set('Authorization', admin).expect(401);
    const fresh = await bearerFor(['admin']);
    await request(server)
      .post('/admin/keys/unknown/revoke')
      .set('Authorization', fresh)
      .expect(404);
    const jwks = await request(server).get('/.well-known/jwks.json').expect(200);
    expect(jwks.body.keys.map((key: { kid: string }) => key.kid)).not.toContain(kid);
  });
});
