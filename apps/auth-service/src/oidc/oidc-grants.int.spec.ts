import { createTestPostgresDatabase, testBackendUrls } from '@keycard/testing';
import type { TestDatabase } from '@keycard/testing';
import { decodeJwt } from 'jose';
import { DataSource } from 'typeorm';
import { ErrorCode, KeycardError, ManualClock } from '@keycard/common';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { AuditEventType } from '../audit/audit-events';
import type { RegisteredClient } from '../clients/clients.service';
import type { RunningAuthService } from '../oauth/oauth.test-kit';
import { BOOT_TIMEOUT_MS, startAuthService } from '../oauth/oauth.test-kit';
import { databaseBackends } from '../testing/database-backends';
import { testAuthConfig } from '../testing/test-config';
import { RECORDER_ENTITIES, testRecorders } from '../testing/test-recorders';
import { RefreshFamilyEntity } from '../tokens/refresh-family.entity';
import { UserEntity } from '../users/user.entity';
import { RefreshTokenEntity } from '../tokens/refresh-token.entity';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { WriteFaultPoints } from '../database/atomic-writes';
import type { OpenDatabase } from '../testing/database-backends';
import { AuthorizationCodesService, CODE_TTL_MS, s256 } from './authorization-codes.service';
import { OidcCodeEntity } from './oidc-records.entity';
import type { HandRequest } from './oidc.test-kit';
import {
  createUser,
  handRequest,
  inputValue,
  registerApp,
  TestBrowser,
  tokenRequest,
} from './oidc.test-kit';

/*
 * The provider's grants on SQLite and (with TEST_DATABASE_URL) PostgreSQL: codes single-use and
 * bound, a replay revoking what the first redemption issued, consent remembered, and the refresh
 * tokens of apps following section 1 (rotation, reuse detection, the reuse interval, the client).
 */

const CALLBACK = 'https://app.example/callback';
const USER = { email: 'linus@example.test', password: 'linus-password-1' };
const backends = testBackendUrls();

describe.each(backends)('OpenID Provider grants on %s', (_name, url) => {
  let database: TestDatabase | undefined;
  let service: RunningAuthService;
  let web: RegisteredClient;
  let spa: RegisteredClient;
  let third: RegisteredClient;

  beforeAll(async () => {
    database = url ? await createTestPostgresDatabase(url, 'oidc') : undefined;
    service = await startAuthService({
      REFRESH_REUSE_INTERVAL: '10s',
      ...(database ? { DATABASE_URL: database.url } : {}),
    });
    await createUser(service, USER.email, USER.password);
    const app = { scopes: ['documents:read'], redirectUris: [CALLBACK], firstParty: true };
    web = await registerApp(service, { ...app, name: 'Web', type: 'web' });
    spa = await registerApp(service, { ...app, name: 'SPA', type: 'spa' });
    third = await registerApp(service, { ...app, name: 'Third', type: 'spa', firstParty: false });
  }, BOOT_TIMEOUT_MS * 2);
  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  async function callback(browser: TestBrowser, request: HandRequest) {
    let page = await browser.get(request.url);
    if (page.status === 200 && page.body.includes('action="/session/login"')) {
      page = await browser.signIn(page, USER.email, USER.password);
    }
    return page;
  }

  async function code(client: RegisteredClient, extra: Record<string, string> = {}) {
    const request = handRequest(service.issuer, client.clientId, CALLBACK, extra);
    const page = await callback(new TestBrowser(service.issuer), request);
    return { request, code: new URL(page.location ?? '').searchParams.get('code') ?? '' };
  }

  function redeem(client: RegisteredClient, value: string, verifier: string) {
    const form = {
      grant_type: 'authorization_code',
      code: value,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    };
    return client.clientSecret === undefined
      ? tokenRequest(service.issuer, { ...form, client_id: client.clientId })
      : tokenRequest(service.issuer, form, [client.clientId, client.clientSecret]);
  }

  function refresh(client: RegisteredClient, token: unknown) {
    const form = { grant_type: 'refresh_token', refresh_token: String(token) };
    return client.clientSecret === undefined
      ? tokenRequest(service.issuer, { ...form, client_id: client.clientId })
      : tokenRequest(service.issuer, form, [client.clientId, client.clientSecret]);
  }

  it('concurrent redemptions of a code are a replay: at most one answers, and its tokens are revoked', async () => {
    const { request, code: value } = await code(web);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => redeem(web, value, request.verifier)),
    );
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners.length).toBeLessThanOrEqual(1);
    expect(
      answers.filter((answer) => answer.body['error'] === 'invalid_grant').length,
    ).toBeGreaterThanOrEqual(4);
    for (const winner of winners) {
      const refreshed = await refresh(web, winner.body['refresh_token']);
      expect(refreshed.status).toBe(400);
    }
  });

  it('binds a code to its client and verifier, and a replay revokes the first tokens', async () => {
    const { request, code: value } = await code(spa);
    expect((await redeem(web, value, request.verifier)).status).toBe(400);
    expect((await redeem(spa, value, 'x'.repeat(43))).status).toBe(400);
    const first = await redeem(spa, value, request.verifier);
    expect(first.status).toBe(200);
    expect((await redeem(spa, value, request.verifier)).body['error']).toBe('invalid_grant');
    expect((await refresh(spa, first.body['refresh_token'])).status).toBe(400);
  });

  it('records each redemption in the audit trail, naming the login it started', async () => {
    const { request, code: value } = await code(web);
    const tokens = await redeem(web, value, request.verifier);
    expect(tokens.status).toBe(200);
    const sid = decodeJwt(String(tokens.body['access_token']))['sid'];
    const rows = await service.app
      .get(DataSource)
      .getRepository(AuditEventEntity)
      .findBy({ type: AuditEventType.OidcCodeRedeemed, subjectId: String(sid) });
    expect(rows).toEqual([
      expect.objectContaining({
        outcome: 'success',
        actorType: 'client',
        actorId: web.clientId,
        details: { userId: expect.any(String), scope: 'openid offline_access' },
      }),
    ]);
  });

  it('rotates app refresh tokens for their client only, with reuse detection and the interval', async () => {
    const { request, code: value } = await code(spa, {
      scope: 'openid offline_access documents:read',
    });
    const tokens = await redeem(spa, value, request.verifier);
    expect(tokens.body['scope']).toBe('openid offline_access documents:read');
    expect((await refresh(web, tokens.body['refresh_token'])).status).toBe(400);
    const second = await refresh(spa, tokens.body['refresh_token']);
    expect(second.status).toBe(200);
    const retried = await refresh(spa, tokens.body['refresh_token']);
    expect(retried.body['refresh_token']).toBe(second.body['refresh_token']);
    const third = await refresh(spa, second.body['refresh_token']);
    expect(third.status).toBe(200);
    expect((await refresh(spa, tokens.body['refresh_token'])).status).toBe(400);
    expect((await refresh(spa, third.body['refresh_token'])).status).toBe(400);
  });

  it('remembers consent per user, app and scopes', async () => {
    const browser = new TestBrowser(service.issuer);
    const first = handRequest(service.issuer, third.clientId, CALLBACK, { scope: 'openid' });
    const asked = await callback(browser, first);
    expect(asked.body).toContain('Allow Third?');
    await browser.consent(asked, 'allow');
    const again = await browser.get(
      handRequest(service.issuer, third.clientId, CALLBACK, { scope: 'openid' }).url,
    );
    expect(new URL(again.location ?? '').searchParams.get('code')).toBeTruthy();
    const wider = await browser.get(
      handRequest(service.issuer, third.clientId, CALLBACK, { scope: 'openid email' }).url,
    );
    expect(wider.status).toBe(200);
    expect(wider.body).toContain('See your email address');
  });
});

describe.each(backends)('Connected apps on %s', (_name, url) => {
  let database: TestDatabase | undefined;
  let service: RunningAuthService;
  let app: RegisteredClient;

  beforeAll(async () => {
    database = url ? await createTestPostgresDatabase(url, 'oidc_apps') : undefined;
    service = await startAuthService(database ? { DATABASE_URL: database.url } : {});
    await createUser(service, USER.email, USER.password);
    app = await registerApp(service, {
      name: 'Photo Printer',
      type: 'spa',
      scopes: [],
      redirectUris: [CALLBACK],
    });
  }, BOOT_TIMEOUT_MS * 2);
  afterAll(async () => {
    await service?.close();
    await database?.drop();
  });

  it('lists a consented app on /account/apps; removing it revokes its refresh tokens and the consent', async () => {
    const browser = new TestBrowser(service.issuer);
    const request = handRequest(service.issuer, app.clientId, CALLBACK);
    const asked = await browser.signIn(await browser.get(request.url), USER.email, USER.password);
    const allowed = await browser.consent(asked, 'allow');
    const value = new URL(allowed.location ?? '').searchParams.get('code') ?? '';
    const tokens = await tokenRequest(service.issuer, {
      grant_type: 'authorization_code',
      code: value,
      redirect_uri: CALLBACK,
      code_verifier: request.verifier,
      client_id: app.clientId,
    });
    expect(tokens.status).toBe(200);
    expect((await browser.get('/account')).body).toContain('href="/account/apps"');
    const page = await browser.get('/account/apps');
    expect(page.body).toContain('Photo Printer');
    const csrf = inputValue(page.body, '_csrf') ?? '';
    const refused = await browser.post(`/account/apps/${app.clientId}/remove`, { _csrf: 'wrong' });
    expect(refused.status).toBe(403);
    const removed = await browser.post(`/account/apps/${app.clientId}/remove`, { _csrf: csrf });
    expect(removed.location).toBe(`${service.issuer}/account/apps?removed=1`);
    expect((await browser.get('/account/apps')).body).not.toContain('Photo Printer');
    const refreshed = await tokenRequest(service.issuer, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.body['refresh_token']),
      client_id: app.clientId,
    });
    expect(refreshed.status).toBe(400);
    const again = await browser.get(handRequest(service.issuer, app.clientId, CALLBACK).url);
    expect(again.body).toContain('Allow Photo Printer?');
  });
});

describe.each(databaseBackends())('authorization codes on $name', (backend) => {
  const verifier = 'v'.repeat(43);
  let db: OpenDatabase;
  let clock: ManualClock;
  let codes: AuthorizationCodesService;

  beforeAll(async () => {
    db = await backend.open([
      UserEntity,
      OidcCodeEntity,
      RefreshFamilyEntity,
      RefreshTokenEntity,
      ...RECORDER_ENTITIES,
    ]);
  });
  afterAll(() => db.close());
  beforeEach(() => {
    clock = new ManualClock(Date.UTC(2026, 5, 1));
    codes = new AuthorizationCodesService(db.dataSource.getRepository(OidcCodeEntity), clock);
  });

  const issue = () =>
    codes.issue({
      request: {
        clientId: 'app',
        redirectUri: CALLBACK,
        scopes: ['openid'],
        codeChallenge: s256(verifier),
        prompt: [],
      },
      userId: 'user',
      sessionId: 'session',
      signIn: { amr: ['pwd'], authTime: clock.now() },
    });
  const redemption = (value: string) => ({
    code: value,
    clientId: 'app',
    redirectUri: CALLBACK,
    codeVerifier: verifier,
  });
  const noReplay = async () => undefined;

  it('lives at most 60 seconds', async () => {
    const fresh = await issue();
    clock.advance(CODE_TTL_MS - 1);
    await expect(codes.find(redemption(fresh), noReplay)).resolves.toMatchObject({
      clientId: 'app',
    });
    const stale = await issue();
    clock.advance(CODE_TTL_MS);
    const error = await codes.find(redemption(stale), noReplay).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeycardError);
    expect((error as KeycardError).code).toBe(ErrorCode.OAuthInvalidGrant);
  });

  it('of two redemptions that both found the code unspent, writes the login of one only', async () => {
    const { audit, metrics, revocations } = testRecorders(db.dataSource, clock);
    const tokens = new RefreshTokensService(
      db.dataSource.getRepository(RefreshFamilyEntity),
      db.dataSource.getRepository(RefreshTokenEntity),
      testAuthConfig({}),
      clock,
      audit,
      metrics,
      new WriteFaultPoints(),
      revocations,
    );
    const value = await issue();
    const found = await Promise.all([1, 2].map(() => codes.find(redemption(value), noReplay)));
    const logins = found.map((code) => tokens.newLogin(code.userId, { clientId: code.clientId }));
    const written = await Promise.all(
      logins.map((login, i) =>
        tokens.save(login, { before: [codes.spend(found[i], login.family.id)] }),
      ),
    );
    expect(written.filter(Boolean)).toHaveLength(1);
    const winner = logins[written.indexOf(true)].family.id;
    const loser = logins[written.indexOf(false)].family.id;
    const families = db.dataSource.getRepository(RefreshFamilyEntity);
    expect(await families.countBy({ id: winner })).toBe(1);
    expect(await families.countBy({ id: loser })).toBe(0);
    const replays: OidcCodeEntity[] = [];
    const replay = await codes
      .find(redemption(value), async (code) => {
        replays.push(code);
      })
      .catch((caught: unknown) => caught);
    expect((replay as KeycardError).code).toBe(ErrorCode.OAuthInvalidGrant);
    expect(replays).toEqual([
      expect.objectContaining({ familyId: winner, replayedAt: clock.now() }),
    ]);
  });
});
