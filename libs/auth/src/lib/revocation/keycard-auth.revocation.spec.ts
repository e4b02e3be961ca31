import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { generateApiKey } from '@keycard/common';
import { FakeRevocationLog } from '../../testing/fake-revocation-log';
import { activeKeyAnswer } from '../../testing/introspection-server';
import { accessToken, StaticKeyResolver, userClaims } from '../../testing/fixtures';
import { createGuardTestApp, type Platform } from '../../testing/guard-app';
import { makeTestKeyPair, type TestKeyPair } from '../../testing/keycard-testing';
import type { RevocationEvent, RevocationKind } from './revocation-event';

let nextId = 1;
function event(kind: RevocationKind, subject: string, at = Date.now()): RevocationEvent {
  return { id: nextId++, kind, subject, at, expiresAt: at + 900_000 };
}

async function until(probe: () => Promise<number>, status: number): Promise<void> {
  let last = 0;
  for (let i = 0; i < 300; i++) {
    last = await probe();
    if (last === status) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(last).toBe(status);
}

describe.each<Platform>(['express', 'fastify'])(
  'KeycardAuthGuard with revocations (%s)',
  (platform) => {
    let log: FakeRevocationLog;
    let app: INestApplication;
    let key: TestKeyPair;
    const me = (token: string) =>
      request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);
    const statusOf = async (token: string) => (await me(token)).status;
    const token = (claims: Record<string, unknown> = {}, signer = key) =>
      accessToken(signer, userClaims(Date.now() - 5000, claims));

    beforeEach(async () => {
      log = new FakeRevocationLog();
      const baseUrl = await log.start();
      key = makeTestKeyPair('key-1');
      // Already in the log when the verifier starts: refused from its first request.
      log.append(event('sid', 'sid-before-start'));
      app = await createGuardTestApp(platform, {
        keyResolver: new StaticKeyResolver(key),
        internalUrl: baseUrl,
        revocation: { clientId: 'svc', clientSecret: 'secret' },
        apiKeys: { clientId: 'svc', clientSecret: 'secret', usage: false },
      });
    });

    afterEach(async () => {
      await app.close();
      await log.stop();
    });

    it('reads what is still relevant before it serves', async () => {
      expect(await statusOf(token({ sid: 'sid-before-start' }))).toBe(401);
      expect(await statusOf(token({ sid: 'other' }))).toBe(200);
    });

    it('refuses a cached token once its login is revoked, with 401 invalid_token', async () => {
      const revoked = token({ sid: 'sid-1' });
      expect(await statusOf(revoked)).toBe(200);
      log.append(event('sid', 'sid-1'));
      await until(() => statusOf(revoked), 401);
      const answer = await me(revoked);
      expect(answer.body.error).toBe('invalid_token');
      expect(answer.headers['www-authenticate']).toContain('invalid_token');
      expect(await statusOf(token({ sid: 'sid-2' }))).toBe(200);
    });

    it('refuses a user’s tokens issued before the revocation, not the ones after', async () => {
      const before = token({ sub: 'user-9', sid: 'a' });
      expect(await statusOf(before)).toBe(200);
      log.append(event('user_before', 'user-9', Date.now() - 3000));
      await until(() => statusOf(before), 401);
      const after = accessToken(key, userClaims(Date.now(), { sub: 'user-9', sid: 'b' }));
      expect(await statusOf(after)).toBe(200);
    });

    it('refuses the tokens of a revoked client', async () => {
      const clientToken = token({ sub: 'app-1', client_id: 'app-1', sid: undefined });
      expect(await statusOf(clientToken)).toBe(200);
      log.append(event('client', 'app-1'));
      await until(() => statusOf(clientToken), 401);
      expect(await statusOf(token({ sub: 'app-2', client_id: 'app-2', sid: undefined }))).toBe(200);
    });

    it('refuses a cached API key once it is revoked, and drops its cached answer', async () => {
      const { key: apiKey } = generateApiKey('sk', 'live');
      log.apiKeys.set(apiKey, activeKeyAnswer({ key_id: 'key-7' }));
      const withKey = () => request(app.getHttpServer()).get('/me').set('X-API-Key', apiKey);
      expect((await withKey()).status).toBe(200);
      expect((await withKey()).status).toBe(200);
      expect(log.introspections).toBe(1); // the second request was answered from the cache

      log.append(event('api_key', 'key-7'));
      await until(async () => (await withKey()).status, 401);
      // The revoked key's cached answer went with the event: it was asked about once more (and
      // the auth-service's refusal is what is cached now).
      expect(log.introspections).toBe(2);
      expect((await withKey()).body.error).toBe('invalid_api_key');
    });

    it('refuses every token of a revoked signing key, cached or not', async () => {
      const cached = token({ sid: 'c' });
      expect(await statusOf(cached)).toBe(200);
      log.append(event('kid', 'key-1'));
      await until(() => statusOf(cached), 401);
      expect(await statusOf(token({ sid: 'fresh' }))).toBe(401);
    });
  },
);
