import type { INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { KeycardError } from '@keycard/common';
import { KeycardExceptionFilter } from '@keycard/common';
import type { TestKeyPair } from '../testing/keycard-testing';
import { makeTestKeyPair } from '../testing/keycard-testing';
import request from 'supertest';
import {
  accessToken,
  AUDIENCE,
  freezeDate,
  StaticKeyResolver,
  userClaims,
} from '../testing/fixtures';
import { createGuardTestApp } from '../testing/guard-app';
import { REJECTED_TOKENS } from '../testing/rejected-tokens';
import { AccessTokenVerifier } from './access-token.verifier';
import { Public } from './decorators';
import { KeycardAuthGuard } from './keycard-auth.guard';
import { resolveAuthOptions } from './options';
import { VerifiedTokenCache } from './verified-token.cache';

const NOW = Date.UTC(2026, 0, 1, 12);
const NOW_S = NOW / 1000;

describe('KeycardAuthGuard (Express)', () => {
  let app: INestApplication;
  let key: TestKeyPair;
  let attacker: TestKeyPair;
  const filterCatch = jest.spyOn(KeycardExceptionFilter.prototype, 'catch');
  const claims = (overrides: Record<string, unknown> = {}) => userClaims(NOW, overrides);
  const get = (path: string, token?: string) => {
    const call = request(app.getHttpServer()).get(path);
    return token === undefined ? call : call.set('Authorization', `Bearer ${token}`);
  };

  beforeAll(async () => {
    freezeDate(NOW);
    key = makeTestKeyPair('key-1');
    attacker = makeTestKeyPair('key-1');
    app = await createGuardTestApp('express', { keyResolver: new StaticKeyResolver(key) });
  });

  afterAll(async () => {
    await app.close();
    jest.useRealTimers();
  });

  describe('rejects every bad bearer token with 401 invalid_token', () => {
    it.each(REJECTED_TOKENS)('%s', async (_name, makeToken, reason) => {
      const response = await get('/me', makeToken({ now: NOW, key, attacker }));
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_token');
      expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect((filterCatch.mock.calls.at(-1)?.[0] as KeycardError).reason).toMatch(reason);
    });

    it('a Bearer header without a usable token', async () => {
      const response = await request(app.getHttpServer())
        .get('/me')
        .set('Authorization', 'Bearer a b');
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_token');
    });
  });

  describe('accepts valid tokens', () => {
    it('maps the claims to the principal', async () => {
      const response = await get(
        '/me',
        accessToken(key, claims({ roles: ['user', 'editor'], scope: 'a b' })),
      ).expect(200);
      expect(response.body).toMatchObject({
        sub: 'user-1',
        authType: 'jwt',
        roles: ['user', 'editor'],
        scopes: ['a', 'b'],
        scopeRestricted: false,
        sessionId: 'sid-1',
        expiresAt: (NOW_S + 900) * 1000,
      });
    });

    it.each([
      ['typ application/at+jwt', { typ: 'application/at+jwt' }, {}],
      ['an aud array that includes the audience', {}, { aud: ['other', AUDIENCE] }],
      ['missing roles and scope', {}, { roles: undefined, scope: undefined }],
      ['expired within the 30 s leeway', {}, { exp: NOW_S - 10 }],
    ])('%s', async (_name, header, overrides) => {
      await get('/me', accessToken(key, claims(overrides), header)).expect(200);
    });

    it('takes the Bearer scheme case-insensitively', async () => {
      await request(app.getHttpServer())
        .get('/me')
        .set('Authorization', `bEaReR ${accessToken(key, claims())}`)
        .expect(200);
    });
  });

  describe('authentication', () => {
    it('lets anyone through a @Public() route, credentials or not', async () => {
      await get('/public').expect(200, { ok: true });
      await get('/public', 'garbage').expect(200);
    });

    it('answers 401 missing_credentials with WWW-Authenticate: Bearer when nothing was sent', async () => {
      const response = await get('/me').expect(401);
      expect(response.body.error).toBe('missing_credentials');
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });

    it('treats another scheme, or an API key when no verifier is configured, as no credentials', async () => {
      await request(app.getHttpServer()).get('/me').set('Authorization', 'Basic dTpw').expect(401);
      const response = await request(app.getHttpServer())
        .get('/me')
        .set('X-API-Key', 'sk_live_x')
        .expect(401);
      expect(response.body.error).toBe('missing_credentials');
    });

    it('CurrentPrincipal throws when no guard authenticated the request', async () => {
      await get('/public-principal').expect(500);
    });

    it('principalOf(request) gives the same principal as CurrentPrincipal, and throws the same', async () => {
      const token = accessToken(key, claims({ roles: ['auditor'] }));
      const viaDecorator = await get('/me', token).expect(200);
      const viaRequest = await get('/me-from-request', token).expect(200);
      expect(viaRequest.body).toEqual(viaDecorator.body);
      expect(viaRequest.body).toMatchObject({ authType: 'jwt', roles: ['auditor'] });
      await get('/me-from-request').expect(401);
      await get('/public-principal-from-request').expect(500);
    });
  });

  describe('authorization', () => {
    it('@Roles: 403 forbidden without any of the roles, 200 with one of them', async () => {
      const response = await get('/admin', accessToken(key, claims())).expect(403);
      expect(response.body.error).toBe('forbidden');
      await get('/admin', accessToken(key, claims({ roles: ['admin'] }))).expect(200);
      await get('/admin', accessToken(key, claims({ roles: ['auditor'] }))).expect(200);
    });

    it('@Scopes does not restrict a user token', async () => {
      await get('/write', accessToken(key, claims({ scope: '' }))).expect(200);
    });

    it('@Scopes needs all scopes on a client token (sub === client_id)', async () => {
      const client = (scope: string) =>
        claims({ sub: 'svc', client_id: 'svc', roles: [], scope, sid: undefined });
      const response = await get('/write', accessToken(key, client('documents:read'))).expect(403);
      expect(response.body.error).toBe('insufficient_scope');
      expect(response.headers['www-authenticate']).toContain('error="insufficient_scope"');
      await get('/write', accessToken(key, client('documents:read documents:write'))).expect(200);
    });

    it('a token issued to a client on behalf of a user is governed by roles, not scopes', async () => {
      await get('/write', accessToken(key, claims({ client_id: 'spa', scope: '' }))).expect(200);
    });
  });
});

describe('KeycardAuthGuard outside HTTP', () => {
  it('denies contexts it cannot read (RPC, WebSocket) unless the handler is @Public()', () => {
    class Probe {
      open(): void {
        return undefined;
      }
      closed(): void {
        return undefined;
      }
    }
    Public()(
      Probe.prototype,
      'open',
      Object.getOwnPropertyDescriptor(Probe.prototype, 'open') as PropertyDescriptor,
    );
    const options = resolveAuthOptions({ issuer: 'https://issuer.test', audience: 'keycard' });
    const guard = new KeycardAuthGuard(
      new Reflector(),
      new VerifiedTokenCache(10),
      new AccessTokenVerifier(options, new StaticKeyResolver()),
      options,
      null,
      null,
    );
    const context = (handler: () => void) => {
      const host = new ExecutionContextHost([{ headers: {} }], Probe, handler);
      host.setType('rpc');
      return host;
    };
    expect(guard.canActivate(context(Probe.prototype.closed))).toBe(false);
    expect(guard.canActivate(context(Probe.prototype.open))).toBe(true);
  });
});
