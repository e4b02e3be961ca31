import request from 'supertest';
import type { AuditEventView, AuditPage } from './audit-query.service';
import { currentRequestId } from './audit-context';
import { AuditService } from './audit.service';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import { createUser, PASSWORD, signIn, startSessionApp } from '../sessions/sessions.test-kit';
import type { UserEntity } from '../users/user.entity';

jest.setTimeout(60_000);

const AGENT = 'audit-spec/1.0';
const WRONG_PASSWORD = 'definitely-not-it-42';
const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

describe('audit trail over HTTP (the whole AppModule)', () => {
  let t: SessionTestApp;
  let admin: UserEntity;
  let user: UserEntity;
  let other: UserEntity;
  let locked: UserEntity;
  let adminToken: string;
  let userTokens: Tokens;
  let apiKey: string;
  let apiKeyId: string;
  let rotatedKid: string;
  let successorRefreshToken: string;
  const bodies: unknown[] = [];

  async function login(email: string, password = PASSWORD): Promise<Tokens> {
    const response = await request(t.http)
      .post('/auth/login')
      .set('User-Agent', AGENT)
      .send({ email, password })
      .expect(200);
    return response.body as Tokens;
  }

  async function audit(
    query: Record<string, string | number> = {},
    token = adminToken,
  ): Promise<AuditPage> {
    const response = await request(t.http)
      .get('/admin/audit')
      .query({ pageSize: 100, ...query })
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    bodies.push(response.body);
    return response.body as AuditPage;
  }

  function only(items: AuditEventView[], type: string, subjectId?: string): AuditEventView {
    const found = items.filter(
      (e) => e.type === type && (subjectId === undefined || e.subjectId === subjectId),
    );
    expect(found).toHaveLength(1);
    return found[0];
  }

  beforeAll(async () => {
    t = await startSessionApp({ REFRESH_REUSE_INTERVAL: '0s', LOGIN_MAX_FAILURES: '2' });
    admin = await createUser(t, ['admin', 'user']);
    user = await createUser(t);
    other = await createUser(t);
    locked = await createUser(t);
    adminToken = (await login(admin.email)).accessToken;

    await request(t.http)
      .post('/auth/login')
      .set('User-Agent', AGENT)
      .send({ email: user.email, password: WRONG_PASSWORD })
      .expect(401);
    userTokens = await login(user.email);
    // Before the reuse below, which revokes this login and so its access token too.
    const created = await request(t.http)
      .post('/api-keys')
      .set('Authorization', `Bearer ${userTokens.accessToken}`)
      .send({ name: 'ci' })
      .expect(201);
    ({ key: apiKey, id: apiKeyId } = created.body as { key: string; id: string });

    const refreshed = await request(t.http)
      .post('/auth/refresh')
      .send({ refreshToken: userTokens.refreshToken })
      .expect(200);
    successorRefreshToken = (refreshed.body as Tokens).refreshToken;
    await request(t.http)
      .post('/auth/refresh')
      .send({ refreshToken: userTokens.refreshToken })
      .expect(401);

    const rotation = await request(t.http)
      .post('/admin/keys/rotate?force=true')
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(201);
    rotatedKid = (rotation.body as { active: { kid: string } }).active.kid;

    for (const patch of [{ roles: ['user', 'editor'] }, { disabled: true }]) {
      await request(t.http)
        .patch(`/admin/users/${user.id}`)
        .set('Authorization', `Bearer ${adminToken}`)
        .send(patch)
        .expect(200);
    }
    // Past LOGIN_MAX_FAILURES (2 for this run) an attempt is refused with 429: rate_limited.
    for (const status of [401, 401, 429]) {
      await request(t.http)
        .post('/auth/login')
        .send({ email: locked.email, password: WRONG_PASSWORD })
        .expect(status);
    }
    await t.app.get(AuditService).flush();
  });

  afterAll(() => t.close());

  it('records each security event with type, outcome, actor, subject and IP', async () => {
    const { items } = await audit();
    const failure = only(items, 'auth.login.failure', user.id);
    expect(failure).toMatchObject({
      outcome: 'failure',
      actorId: null,
      subjectId: user.id,
      userAgent: AGENT,
    });
    expect(failure.details).toMatchObject({
      reason: 'invalid_credentials',
      emailSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(only(items, 'auth.login.success', user.id)).toMatchObject({
      outcome: 'success',
      actorId: user.id,
      actorType: 'user',
    });
    expect(only(items, 'auth.refresh.reuse_detected')).toMatchObject({
      outcome: 'failure',
      actorId: null,
      subjectId: expect.any(String),
      details: { userId: user.id },
    });
    expect(only(items, 'keys.rotated')).toMatchObject({
      actorId: admin.id,
      actorType: 'user',
      subjectId: rotatedKid,
    });
    expect(only(items, 'api_key.created')).toMatchObject({ actorId: user.id, subjectId: apiKeyId });
    expect(only(items, 'user.roles_changed')).toMatchObject({
      actorId: admin.id,
      subjectId: user.id,
      details: { before: ['user'], after: ['editor', 'user'] },
    });
    expect(only(items, 'user.disabled')).toMatchObject({ actorId: admin.id, subjectId: user.id });
    // Disabling the user revoked their key, and says so.
    expect(only(items, 'api_key.revoked')).toMatchObject({
      actorId: admin.id,
      subjectId: apiKeyId,
      details: { reason: 'owner_disabled' },
    });
    const limited = items.filter(
      (e) => e.type === 'auth.login.failure' && e.subjectId === locked.id,
    );
    expect(limited.map((e) => e.details?.['reason']).sort()).toEqual([
      'invalid_credentials',
      'invalid_credentials',
      'rate_limited',
    ]);
    for (const event of items) expect(event.ip).toMatch(LOOPBACK);
  });

  it('lists newest first', async () => {
    const { items } = await audit();
    const times = items.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('filters by type prefix, outcome and actor', async () => {
    const auth = await audit({ type: 'auth.*' });
    expect(auth.items.length).toBeGreaterThanOrEqual(4);
    expect(auth.items.every((e) => e.type.startsWith('auth.'))).toBe(true);

    const failures = await audit({ outcome: 'failure' });
    expect(failures.items.map((e) => e.type).sort()).toEqual([
      'auth.login.failure',
      'auth.login.failure',
      'auth.login.failure',
      'auth.login.failure',
      'auth.refresh.reuse_detected',
    ]);

    const byAdmin = await audit({ actorId: admin.id });
    expect(byAdmin.items.map((e) => e.type).sort()).toEqual(
      [
        'api_key.revoked',
        'auth.login.success',
        'keys.rotated',
        'user.disabled',
        'user.roles_changed',
      ].sort(),
    );
  });

  it('pages', async () => {
    const all = await audit();
    const first = await audit({ page: 1, pageSize: 3 });
    const second = await audit({ page: 2, pageSize: 3 });
    expect(first).toMatchObject({ page: 1, pageSize: 3, total: all.total, totalCapped: false });
    expect([...first.items, ...second.items].map((e) => e.id)).toEqual(
      all.items.slice(0, 6).map((e) => e.id),
    );
  });

  it.each([
    { page: 0 },
    { pageSize: 0 },
    { pageSize: 101 },
    { outcome: 'maybe' },
    { type: 'auth.%' },
    { from: 'yesterday' },
    { unknown: 'x' },
  ])('answers 400 for %o', async (query) => {
    await request(t.http)
      .get('/admin/audit')
      .query(query)
      .set('Authorization', `Bearer ${adminToken}`)
      .expect(400);
  });

  it('is for admins only', async () => {
    const { accessToken } = await login(other.email);
    await request(t.http)
      .get('/admin/audit')
      .set('Authorization', `Bearer ${accessToken}`)
      .expect(403);
    await request(t.http).get('/admin/audit').expect(401);
  });

  it('records session sign-in, session revocation, logout and logout-all', async () => {
    const person = await createUser(t);
    await request(t.http)
      .post('/session/login')
      .send({ email: person.email, password: WRONG_PASSWORD })
      .expect(401);
    const session = await signIn(t, person);
    const tokens = await login(person.email);
    const bearer = { Authorization: `Bearer ${tokens.accessToken}` };
    await request(t.http).delete(`/sessions/${session.id}`).set(bearer).expect(204);
    // logout-all first: after /auth/logout the bearer's login is over, and so is the bearer.
    await request(t.http).post('/auth/logout-all').set(bearer).expect(204);
    await request(t.http)
      .post('/auth/logout')
      .send({ refreshToken: tokens.refreshToken })
      .expect(204);
    await t.app.get(AuditService).flush();

    const { items } = await audit({ subjectId: person.id });
    // The clock is frozen, so these share one timestamp: compare them as a set.
    expect(items.map((e) => `${e.type} ${e.outcome}`).sort()).toEqual([
      'auth.login.success success',
      'auth.logout_all success',
      'session.login.failure failure',
      'session.login.success success',
    ]);
    const revoked = (await audit({ subjectId: session.id })).items;
    expect(revoked).toMatchObject([{ type: 'session.revoked', actorId: person.id }]);
    const logout = (await audit({ type: 'auth.logout', actorId: person.id })).items;
    expect(logout).toHaveLength(1);
    expect(logout[0].subjectId).not.toBe(person.id);
  });

  it('knows the id of the request it records in, which the log lines written meanwhile carry', async () => {
    const service = t.app.get(AuditService);
    const seen: (string | undefined)[] = [];
    const [record, statement] = [service.record.bind(service), service.statement.bind(service)];
    const spies = [
      jest.spyOn(service, 'record').mockImplementation((event) => {
        seen.push(currentRequestId());
        return record(event);
      }),
      jest.spyOn(service, 'statement').mockImplementation((event) => {
        seen.push(currentRequestId());
        return statement(event);
      }),
    ];
    try {
      await request(t.http)
        .post('/auth/login')
        .set('X-Request-Id', 'audit-request-7')
        .send({ email: other.email, password: WRONG_PASSWORD })
        .expect(401);
      await login(other.email);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(seen[0]).toBe('audit-request-7');
    // The next request has an id of its own (a fresh UUID), not the last one's.
    expect(seen.at(-1)).toMatch(/^[0-9a-f-]{36}$/);
    expect(currentRequestId()).toBeUndefined();
  });

  it('never shows a secret', async () => {
    await audit();
    const text = JSON.stringify(bodies);
    const secrets = [
      PASSWORD,
      WRONG_PASSWORD,
      userTokens.refreshToken,
      successorRefreshToken,
      userTokens.accessToken,
      apiKey,
    ];
    for (const secret of [...secrets, adminToken, user.email]) {
      expect(text).not.toContain(secret);
    }
  });
});
