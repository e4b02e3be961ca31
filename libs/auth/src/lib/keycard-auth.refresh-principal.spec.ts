import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { TestKeyPair } from '../testing/keycard-testing';
import { makeTestKeyPair } from '../testing/keycard-testing';
import { accessToken, freezeDate, StaticKeyResolver, userClaims } from '../testing/fixtures';
import type { Platform } from '../testing/guard-app';
import { createGuardTestApp } from '../testing/guard-app';
import { resolveAuthOptions, type KeycardAuthOptions } from './options';
import type { Principal } from './principal';

const NOW = Date.UTC(2026, 0, 1, 12);

/** What the issuer's database says about each subject now; absent = disabled or deleted. */
const current = new Map<string, string[]>();
const seen: Principal[] = [];

async function refreshPrincipal(principal: Principal): Promise<Principal | null> {
  seen.push(principal);
  const roles = current.get(principal.sub);
  return roles === undefined ? null : { ...principal, roles };
}

describe.each<Platform>(['express', 'fastify'])(
  'KeycardAuthGuard with refreshPrincipal (%s)',
  (platform) => {
    let app: INestApplication;
    let key: TestKeyPair;
    const get = (path: string, token: string) =>
      request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);

    beforeAll(async () => {
      freezeDate(NOW);
      key = makeTestKeyPair('key-1');
      // The verified-token cache stays on: a cached token must not skip the refresh.
      app = await createGuardTestApp(platform, {
        keyResolver: new StaticKeyResolver(key),
        refreshPrincipal,
      });
    });

    afterAll(async () => {
      await app.close();
      jest.useRealTimers();
    });

    beforeEach(() => {
      current.clear();
      seen.length = 0;
    });

    it('takes the roles the refresher gives, not the ones in the token', async () => {
      current.set('user-1', ['user']);
      const token = accessToken(key, userClaims(NOW, { roles: ['admin'] }));
      const forbidden = await get('/admin', token).expect(403);
      expect(forbidden.body.error).toBe('forbidden');
      const me = await get('/me', token).expect(200);
      expect(me.body).toMatchObject({ sub: 'user-1', roles: ['user'], sessionId: 'sid-1' });
      current.set('user-1', ['admin']);
      await get('/admin', accessToken(key, userClaims(NOW, { roles: [] }))).expect(200);
    });

    it('refuses with 401 invalid_token when the refresher answers null, also for a cached token', async () => {
      current.set('user-1', ['admin']);
      const token = accessToken(key, userClaims(NOW, { roles: ['admin'] }));
      await get('/admin', token).expect(200);
      current.delete('user-1');
      for (const path of ['/admin', '/me', '/me-from-request']) {
        const response = await get(path, token).expect(401);
        expect(response.body.error).toBe('invalid_token');
        expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      }
      expect(seen).toHaveLength(4);
      expect(seen.every((principal) => principal.authType === 'jwt')).toBe(true);
    });

    it('is not asked for a public route, nor for a token that does not verify', async () => {
      await request(app.getHttpServer()).get('/public').expect(200);
      const forged = accessToken(makeTestKeyPair('key-1'), userClaims(NOW));
      await get('/me', forged).expect(401);
      expect(seen).toEqual([]);
    });
  },
);

describe('refreshPrincipal option', () => {
  it('must be a function', () => {
    const options = {
      issuer: 'https://issuer.test',
      audience: 'keycard',
      refreshPrincipal: 'yes',
    } as unknown as KeycardAuthOptions;
    expect(() => resolveAuthOptions(options)).toThrow('refreshPrincipal must be a function');
  });
});
