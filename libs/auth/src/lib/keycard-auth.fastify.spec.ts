import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestKeyPair } from '../testing/keycard-testing';
import { makeTestKeyPair, respellings } from '../testing/keycard-testing';
import request from 'supertest';
import { accessToken, freezeDate, StaticKeyResolver, userClaims } from '../testing/fixtures';
import { createGuardTestApp } from '../testing/guard-app';
import { REJECTED_TOKENS } from '../testing/rejected-tokens';

const NOW = Date.UTC(2026, 0, 1, 12);

describe('KeycardAuthGuard (Fastify)', () => {
  let app: INestApplication;
  let key: TestKeyPair;
  let attacker: TestKeyPair;
  let resolver: StaticKeyResolver;
  const get = (path: string, token?: string) => {
    const call = request(app.getHttpServer()).get(path);
    return token === undefined ? call : call.set('Authorization', `Bearer ${token}`);
  };

  beforeAll(async () => {
    freezeDate(NOW);
    key = makeTestKeyPair('key-1');
    attacker = makeTestKeyPair('key-1');
    resolver = new StaticKeyResolver(key);
    app = await createGuardTestApp('fastify', { keyResolver: resolver });
  });

  afterAll(async () => {
    await app.close();
    jest.useRealTimers();
  });

  it.each(REJECTED_TOKENS)('rejects %s with 401 invalid_token', async (_name, makeToken) => {
    const response = await get('/me', makeToken({ now: NOW, key, attacker }));
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_token');
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('refuses the 15 respelled twins of a cached token: they miss the cache and fail the spelling check', async () => {
    const token = accessToken(key, userClaims(NOW));
    await get('/me', token).expect(200);
    const cut = token.lastIndexOf('.');
    const twins = respellings(token.slice(cut + 1)).map((s) => `${token.slice(0, cut)}.${s}`);
    expect(twins).toHaveLength(15);
    const lookups = resolver.lookups;
    const statuses = [];
    for (const twin of twins) statuses.push((await get('/me', twin)).status);
    expect(statuses).toEqual(twins.map(() => 401));
    expect(resolver.lookups).toBe(lookups);
    await get('/me', token).expect(200);
  });

  it('accepts a valid token and serves it from the cache the second time', async () => {
    const token = accessToken(key, userClaims(NOW));
    const response = await get('/me', token).expect(200);
    expect(response.body).toMatchObject({ sub: 'user-1', authType: 'jwt' });
    const lookups = resolver.lookups;
    await get('/me', token).expect(200);
    expect(resolver.lookups).toBe(lookups);
  });

  it('lets a @Public() route through and answers 401 with WWW-Authenticate: Bearer without credentials', async () => {
    await get('/public').expect(200, { ok: true });
    const response = await get('/me').expect(401);
    expect(response.body.error).toBe('missing_credentials');
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('declares request.user on Fastify up front (decorateRequest), so request objects keep one shape', () => {
    const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
    expect(fastify.hasRequestDecorator('user')).toBe(true);
  });

  it('applies @Roles and @Scopes', async () => {
    await get('/admin', accessToken(key, userClaims(NOW))).expect(403);
    await get('/admin', accessToken(key, userClaims(NOW, { roles: ['admin'] }))).expect(200);
    const client = userClaims(NOW, { sub: 'svc', client_id: 'svc', scope: 'documents:read' });
    const response = await get('/write', accessToken(key, client)).expect(403);
    expect(response.body.error).toBe('insufficient_scope');
  });
});
