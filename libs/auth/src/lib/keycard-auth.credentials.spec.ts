import type { INestApplication } from '@nestjs/common';
import { ErrorCode, KeycardError } from '@keycard/common';
import type { TestKeyPair } from '../testing/keycard-testing';
import { makeTestKeyPair } from '../testing/keycard-testing';
import request from 'supertest';
import { accessToken, freezeDate, StaticKeyResolver, userClaims } from '../testing/fixtures';
import { createGuardTestApp } from '../testing/guard-app';
import type { ApiKeyVerifier, CredentialAuthenticator } from './options';
import type { Principal } from './principal';

const NOW = Date.UTC(2026, 0, 1, 12);
const keyPrincipal = (scopes: string[]): Principal => ({
  sub: 'user-7',
  authType: 'api_key',
  roles: ['user'],
  scopes,
  scopeRestricted: true,
  tokenId: 'key-id-1',
});

describe('KeycardAuthGuard with an API key verifier and a fallback authenticator', () => {
  let app: INestApplication;
  let key: TestKeyPair;
  const verify = jest.fn<ReturnType<ApiKeyVerifier['verify']>, [string]>();
  const authenticate = jest.fn<ReturnType<CredentialAuthenticator['authenticate']>, [unknown]>();

  beforeAll(async () => {
    key = makeTestKeyPair('key-1');
    app = await createGuardTestApp('express', {
      keyResolver: new StaticKeyResolver(key),
      apiKeyVerifier: { verify },
      fallbackAuthenticators: [{ authenticate }],
    });
  });

  afterAll(() => app.close());

  beforeEach(() => {
    verify.mockReset();
    authenticate.mockReset().mockResolvedValue(null);
  });

  it('accepts a good X-API-Key and puts an api_key principal on the request', async () => {
    verify.mockResolvedValue(keyPrincipal(['documents:read', 'documents:write']));
    const response = await request(app.getHttpServer())
      .get('/me')
      .set('X-API-Key', 'sk_live_good')
      .expect(200);
    expect(response.body).toMatchObject({
      sub: 'user-7',
      authType: 'api_key',
      tokenId: 'key-id-1',
    });
    expect(verify).toHaveBeenCalledWith('sk_live_good');
    await request(app.getHttpServer()).get('/write').set('X-API-Key', 'sk_live_good').expect(200);
  });

  it('enforces @Scopes on API keys', async () => {
    verify.mockResolvedValue(keyPrincipal(['documents:read']));
    const response = await request(app.getHttpServer())
      .get('/write')
      .set('X-API-Key', 'sk_live_ro')
      .expect(403);
    expect(response.body.error).toBe('insufficient_scope');
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it('answers 401 invalid_api_key for a refused key', async () => {
    verify.mockResolvedValue(null);
    const response = await request(app.getHttpServer())
      .get('/me')
      .set('X-API-Key', 'sk_live_bad')
      .expect(401);
    expect(response.body.error).toBe('invalid_api_key');
  });

  it('passes on a KeycardError of the verifier and answers 503 when the verifier itself fails', async () => {
    verify.mockRejectedValueOnce(
      new KeycardError(ErrorCode.RateLimited, { headers: { 'Retry-After': '7' } }),
    );
    const limited = await request(app.getHttpServer())
      .get('/me')
      .set('X-API-Key', 'sk_live_busy')
      .expect(429);
    expect(limited.headers['retry-after']).toBe('7');
    verify.mockRejectedValueOnce(new Error('ECONNREFUSED'));
    await request(app.getHttpServer()).get('/me').set('X-API-Key', 'sk_live_x').expect(503);
  });

  it('never reads an API key from the query string', async () => {
    verify.mockResolvedValue(keyPrincipal([]));
    const response = await request(app.getHttpServer())
      .get('/me?api_key=sk_live_good&x-api-key=sk_live_good')
      .expect(401);
    expect(response.body.error).toBe('missing_credentials');
    expect(verify).not.toHaveBeenCalled();
  });

  it('prefers a bearer token over an API key', async () => {
    const token = accessToken(key, userClaims(Date.now()));
    await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${token}`)
      .set('X-API-Key', 'x')
      .expect(200);
    expect(verify).not.toHaveBeenCalled();
  });

  it('tries the fallback authenticators when neither was sent', async () => {
    authenticate.mockResolvedValue({
      ...keyPrincipal([]),
      authType: 'session',
      scopeRestricted: false,
      sessionId: 's1',
    });
    const response = await request(app.getHttpServer())
      .get('/me')
      .set('Cookie', 'keycard.sid=abc')
      .expect(200);
    expect(response.body).toMatchObject({ authType: 'session', sessionId: 's1' });
    expect(authenticate).toHaveBeenCalledTimes(1);
  });

  it('answers 401 missing_credentials when no fallback recognises the request', async () => {
    const response = await request(app.getHttpServer()).get('/me').expect(401);
    expect(response.body.error).toBe('missing_credentials');
    expect(authenticate).toHaveBeenCalledTimes(1);
  });
});

describe('KeycardAuthGuard verified-token cache', () => {
  let app: INestApplication;
  let key: TestKeyPair;
  let resolver: StaticKeyResolver;

  beforeAll(async () => {
    freezeDate(NOW);
    key = makeTestKeyPair('key-1');
    resolver = new StaticKeyResolver(key);
    app = await createGuardTestApp('express', { keyResolver: resolver, clockToleranceSeconds: 0 });
  });

  afterAll(async () => {
    await app.close();
    jest.useRealTimers();
  });

  beforeEach(() => jest.setSystemTime(NOW));

  it('serves a repeated token from the cache without verifying it again', async () => {
    const token = accessToken(key, userClaims(NOW));
    await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    const lookups = resolver.lookups;
    await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    await request(app.getHttpServer())
      .get('/admin')
      .set('Authorization', `Bearer ${token}`)
      .expect(403);
    expect(resolver.lookups).toBe(lookups);
  });

  it('never serves an entry at or after the token exp', async () => {
    const token = accessToken(key, userClaims(NOW, { exp: NOW / 1000 + 60 }));
    await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    jest.setSystemTime(NOW + 60_000);
    const response = await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(401);
    expect(response.body.error).toBe('invalid_token');
  });

  it('drops the tokens of a key that left the key set', async () => {
    const token = accessToken(key, userClaims(NOW));
    await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    resolver.remove(key.kid);
    const response = await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${token}`)
      .expect(401);
    expect(response.body.error).toBe('invalid_token');
  });
});
