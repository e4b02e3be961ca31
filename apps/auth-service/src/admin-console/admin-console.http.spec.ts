import request from 'supertest';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { AuditQueryService } from '../audit/audit-query.service';
import { AuditService } from '../audit/audit.service';
import { ClientsService } from '../clients/clients.service';
import { KeysService } from '../keys/keys.service';
import type { SessionTestApp, SignedIn } from '../sessions/sessions.test-kit';
import {
  cookiePair,
  createUser,
  loginForm,
  PASSWORD,
  setCookieFor,
  signIn,
  squash,
  startSessionApp,
} from '../sessions/sessions.test-kit';
import type { UserEntity } from '../users/user.entity';

function expectPageHeaders(headers: Record<string, string>): void {
  expect(headers['content-type']).toBe('text/html; charset=utf-8');
  expect(headers['content-security-policy']).toContain("script-src 'self'; style-src 'self'");
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['cache-control']).toBe('no-store');
}

/** The value, or a failed test when there is none. */
function must<T>(value: T | undefined | null, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`no ${what}`);
  return value;
}

const SECRET_FIELD = /<input id="new-secret" type="text" readonly value="([^"]+)"/;

describe('Admin console over HTTP', () => {
  let t: SessionTestApp;
  let admin: UserEntity;
  let adminSession: SignedIn;
  let member: UserEntity;
  let memberSession: SignedIn;

  beforeAll(async () => {
    t = await startSessionApp();
    admin = await createUser(t, ['admin', 'user'], 'Grace Admin');
    adminSession = await signIn(t, admin);
    member = await createUser(t, ['user'], 'Plain Member');
    memberSession = await signIn(t, member);
  });

  afterAll(async () => {
    await t?.close();
  });

  const get = (path: string, session?: SignedIn) => {
    const call = request(t.http).get(path);
    return session ? call.set('Cookie', session.cookie) : call;
  };
  const post = (
    path: string,
    session: SignedIn | undefined,
    fields: Record<string, string> = {},
    csrf = true,
  ) => {
    const call = request(t.http).post(path).type('form');
    const signed = session ? call.set('Cookie', session.cookie) : call;
    return signed.send({ ...(csrf && session ? { _csrf: session.csrfToken } : {}), ...fields });
  };
  /** The sign-in form, posted as a browser would, with `cookie` on top of the form's own. */
  const formSignIn = async (cookie: string) => {
    const form = await loginForm(t);
    return request(t.http)
      .post('/session/login')
      .set('Cookie', `${form.cookie}; ${cookie}`)
      .type('form')
      .send({ email: admin.email, password: PASSWORD, _csrf: form.csrf })
      .expect(303);
  };
  const auditOf = async (type: string, subjectId: string) => {
    await t.app.get(AuditService).flush();
    return (await t.app.get(AuditQueryService).list({ type, subjectId }, 1, 10)).items;
  };

  describe('access', () => {
    const screens = () => [
      '/admin',
      '/admin/console/users',
      `/admin/console/users/${member.id}`,
      '/admin/console/clients',
      '/admin/console/keys',
      '/admin/console/audit',
    ];

    it('sends a visitor without a session to /login', async () => {
      for (const path of screens()) {
        const response = await get(path).expect(303);
        expect(response.headers.location).toBe('/login');
      }
    });

    it('comes back to the console page it was sent away from, once signed in on /login', async () => {
      const away = await get('/admin/console/users?email=grace').expect(303);
      expect(away.headers.location).toBe('/login');
      const remembered = must(setCookieFor(away, 'keycard.return'), 'return cookie');
      expect(remembered).toMatch(/Path=\/session\/login; .*HttpOnly/);
      const signedIn = await formSignIn(cookiePair(remembered));
      expect(signedIn.headers.location).toBe('/admin/console/users?email=grace');
      expect(setCookieFor(signedIn, 'keycard.return')).toContain('Expires=Thu, 01 Jan 1970');
    });

    it('goes to /account when the remembered page is not one of the console', async () => {
      const targets = [
        '//evil.example/admin',
        'https://evil.example/admin',
        '/admin/../account',
        '/admin/%2e%2e/account',
        '/admin\\evil',
        '/account',
        '/administrator',
      ];
      for (const target of targets) {
        const cookie = `keycard.return=${Buffer.from(target).toString('base64url')}`;
        const signedIn = await formSignIn(cookie);
        expect({ target, location: signedIn.headers.location }).toEqual({
          target,
          location: '/account',
        });
      }
    });

    it('answers a signed-in non-admin with a 403 page', async () => {
      for (const path of screens()) {
        const response = await get(path, memberSession).expect(403);
        expectPageHeaders(response.headers);
        expect(squash(response.text)).toContain('<h1>Not allowed</h1>');
      }
    });

    it('shows every screen to an admin, with the console navigation and no inline script', async () => {
      for (const path of screens()) {
        const response = await get(path, adminSession).expect(200);
        expectPageHeaders(response.headers);
        const page = squash(response.text);
        expect(page).toContain('<nav class="console-nav" aria-label="Admin console">');
        expect(page).toContain(
          '<meta name="viewport" content="width=device-width, initial-scale=1">',
        );
        expect(page).toContain('<script src="/assets/admin.js" defer></script>');
        expect(page.match(/<script/g)).toHaveLength(1);
        expect(page).not.toContain('style=');
      }
    });

    it('refuses every action of a non-admin (403) and of an anonymous visitor (to /login)', async () => {
      const actions = [
        `/admin/console/users/${member.id}/disable`,
        `/admin/console/clients`,
        `/admin/console/keys/rotate`,
      ];
      for (const path of actions) {
        await post(path, memberSession, { confirm: 'yes', name: 'x', roles: 'admin' }).expect(403);
        const anonymous = await post(path, undefined, { confirm: 'yes' }).expect(303);
        expect(anonymous.headers.location).toBe('/login');
      }
      expect((await t.users.findById(member.id))?.disabled).toBe(false);
    });

    it('refuses every form post without the session CSRF token (403), before acting', async () => {
      const target = await createUser(t);
      const client = await t.app.get(ClientsService).create({ name: 'csrf-target', scopes: [] });
      const [key] = await t.app.get(KeysService).list();
      const forms: [string, Record<string, string>][] = [
        [`/admin/console/users/${target.id}/roles`, { roles: 'admin', confirm: 'yes' }],
        [`/admin/console/users/${target.id}/disable`, { confirm: 'yes' }],
        [`/admin/console/users/${target.id}/enable`, {}],
        [`/admin/console/users/${target.id}/sessions/x/revoke`, { confirm: 'yes' }],
        [`/admin/console/users/${target.id}/api-keys/x/revoke`, { confirm: 'yes' }],
        ['/admin/console/clients', { name: 'sneaky' }],
        [`/admin/console/clients/${client.clientId}/rotate-secret`, { confirm: 'yes' }],
        [`/admin/console/clients/${client.clientId}/delete`, { confirm: 'yes' }],
        ['/admin/console/keys/rotate', { confirm: 'yes', force: 'true' }],
        [`/admin/console/keys/${key.kid}/revoke`, { confirm: 'yes' }],
      ];
      for (const [path, fields] of forms) {
        const missing = await post(path, adminSession, fields, false).expect(403);
        expect(squash(missing.text)).toContain('This form has expired');
        await post(path, adminSession, { ...fields, _csrf: 'x'.repeat(43) }, false).expect(403);
      }
      expect(await t.users.findById(target.id)).toMatchObject({ roles: ['user'], disabled: false });
      expect((await t.app.get(ClientsService).findActive(client.clientId))?.clientId).toBe(
        client.clientId,
      );
      const keys = await t.app.get(KeysService).list();
      expect(keys.find((k) => k.kid === key.kid)?.status).toBe(key.status);
    });

    it('links the console from /account for admins only', async () => {
      const link = '<a href="/admin">Open the admin console</a>';
      expect(squash((await get('/account', adminSession).expect(200)).text)).toContain(link);
      expect(squash((await get('/account', memberSession).expect(200)).text)).not.toContain(link);
    });
  });

  describe('overview', () => {
    it('counts users, live sessions, keys by status, and the last hour of this instance', async () => {
      await request(t.http)
        .post('/session/login')
        .send({ email: member.email, password: `${PASSWORD}!` })
        .expect(401);
      const page = squash((await get('/admin', adminSession).expect(200)).text);
      const total = await t.users.count();
      // Shared Redis (TEST_REDIS_URL): other suites' sessions count too, so only a lower bound.
      const live =
        /<span class="stat-value">(\d+)<\/span ?><span class="stat-label">Active sessions/.exec(
          page,
        );
      expect(Number(live?.[1])).toBeGreaterThanOrEqual(2);
      expect(page).toMatch(
        new RegExp(
          `<span class="stat-value">${total}</span ?><span class="stat-label">Users</span>`,
        ),
      );
      expect(page).toMatch(
        /<span class="stat-value">1<\/span ?><span class="stat-label">Active signing keys<\/span>/,
      );
      expect(page).toMatch(
        /<td data-label="Reason"><code>invalid_credentials<\/code><\/td><td data-label="Count">[1-9]/,
      );
      expect(page).toMatch(
        /<td data-label="Kind"><code>session<\/code><\/td><td data-label="Count">[1-9]/,
      );
    });

    it('answers the same numbers as JSON at GET /admin/overview (admin only)', async () => {
      const response = await request(t.http)
        .get('/admin/overview')
        .set('Cookie', adminSession.cookie)
        .expect(200);
      expect(response.body).toMatchObject({
        users: await t.users.count(),
        signingKeys: { active: 1, next: 1 },
        lastHour: { metricsEnabled: true },
      });
      expect(response.body.lastHour.issued.session).toBeGreaterThanOrEqual(2);
      await request(t.http).get('/admin/overview').set('Cookie', memberSession.cookie).expect(403);
    });
  });

  describe('users', () => {
    it('finds users by the start of their address, a page at a time', async () => {
      const stamp = Date.now().toString(36);
      for (let i = 0; i < 22; i++) {
        t.clock.advance(1); // oldest first: the order they are created in
        await t.users.create({
          email: `zz${stamp}-${String(i).padStart(2, '0')}@example.test`,
          password: PASSWORD,
        });
      }
      await t.users.create({ email: `other-zz${stamp}@example.test`, password: PASSWORD });
      const first = squash(
        (await get(`/admin/console/users?email=ZZ${stamp}`, adminSession).expect(200)).text,
      );
      expect(first.match(/<tr><td data-label="E-mail">/g)).toHaveLength(20);
      expect(first).toContain('Page 1 of 2 · 22 in all');
      expect(first).not.toContain(`other-zz${stamp}`);
      expect(first).toContain(`href="/admin/console/users?email=zz${stamp}&amp;page=2"`);
      const second = squash(
        (await get(`/admin/console/users?email=zz${stamp}&page=2`, adminSession).expect(200)).text,
      );
      expect(second.match(/<tr><td data-label="E-mail">/g)).toHaveLength(2);
      expect(second).toContain(`zz${stamp}-21@example.test`);
      const wildcard = squash(
        (await get('/admin/console/users?email=%25', adminSession).expect(200)).text,
      );
      expect(wildcard).toContain('No user matches.');
      // The name-or-e-mail box narrows further, and its pages keep both boxes' text.
      const text = squash(
        (await get(`/admin/console/users?email=zz${stamp}&q=-2`, adminSession).expect(200)).text,
      );
      expect(text.match(/<tr><td data-label="E-mail">/g)).toHaveLength(2); // -20 and -21
      expect(text).toContain('name="q" type="search" value="-2"');
      expect(text).toContain('Page 1 of 1 · 2 in all');
    });

    it('changes roles only after a confirmation, audited with the admin as the actor', async () => {
      const target = await createUser(t);
      const path = `/admin/console/users/${target.id}/roles`;
      const asked = squash(
        (await post(path, adminSession, { roles: 'user, admin  auditor' }).expect(200)).text,
      );
      expect(asked).toContain(`Change the roles of ${target.email}?`);
      expect(asked).toContain('From: user. To: user, admin, auditor.');
      expect(asked).toContain('<input type="hidden" name="confirm" value="yes">');
      expect((await t.users.findById(target.id))?.roles).toEqual(['user']);
      const done = await post(path, adminSession, {
        roles: 'user, admin, auditor',
        confirm: 'yes',
      }).expect(303);
      expect(done.headers.location).toBe(`/admin/console/users/${target.id}?notice=roles_changed`);
      expect((await t.users.findById(target.id))?.roles).toEqual(['user', 'admin', 'auditor']);
      const [event] = await auditOf('user.roles_changed', target.id);
      expect(event).toMatchObject({ actorId: admin.id, actorType: 'user' });
      const shown = squash((await get(done.headers.location, adminSession).expect(200)).text);
      expect(shown).toContain('The roles were changed.');
    });

    it('refuses roles that are not roles, on the page, without changing anything', async () => {
      const target = await createUser(t);
      const response = await post(`/admin/console/users/${target.id}/roles`, adminSession, {
        roles: 'user <b>Boss</b>',
        confirm: 'yes',
      }).expect(400);
      expect(squash(response.text)).toContain('is not a role');
      expect(squash(response.text)).not.toContain('<b>Boss');
      expect((await t.users.findById(target.id))?.roles).toEqual(['user']);
    });

    it('disables after a confirmation (signed out everywhere) and enables again', async () => {
      const target = await createUser(t);
      const targetSession = await signIn(t, target);
      const path = `/admin/console/users/${target.id}/disable`;
      const asked = squash((await post(path, adminSession).expect(200)).text);
      expect(asked).toContain(`Disable ${target.email}?`);
      expect((await t.users.findById(target.id))?.disabled).toBe(false);
      const done = await post(path, adminSession, { confirm: 'yes' }).expect(303);
      expect(done.headers.location).toBe(`/admin/console/users/${target.id}?notice=disabled`);
      expect((await t.users.findById(target.id))?.disabled).toBe(true);
      await get('/account', targetSession).expect(303);
      expect(await auditOf('user.disabled', target.id)).toHaveLength(1);
      const enabled = await post(`/admin/console/users/${target.id}/enable`, adminSession).expect(
        303,
      );
      expect(enabled.headers.location).toBe(`/admin/console/users/${target.id}?notice=enabled`);
      expect((await t.users.findById(target.id))?.disabled).toBe(false);
    });

    it("signs out one of a user's sessions and revokes one of their API keys, each confirmed", async () => {
      const target = await createUser(t);
      const targetSession = await signIn(t, target, { 'User-Agent': 'Target <Browser>' });
      const key = await t.app.get(ApiKeysService).create(target.id, { name: 'deploy <bot>' });
      const screen = squash(
        (await get(`/admin/console/users/${target.id}`, adminSession).expect(200)).text,
      );
      expect(screen).toContain('title="Target &lt;Browser&gt;"');
      expect(screen).toContain('deploy &lt;bot&gt;');
      expect(screen).toContain(`href="/admin/console/audit?subjectId=${target.id}"`);
      expect(screen).not.toContain(key.key);
      const sessionPath = `/admin/console/users/${target.id}/sessions/${targetSession.id}/revoke`;
      expect(screen).toContain(`action="${sessionPath}"`);
      await post(sessionPath, adminSession).expect(200);
      await get('/account', targetSession).expect(200);
      await post(sessionPath, adminSession, { confirm: 'yes' }).expect(303);
      await get('/account', targetSession).expect(303);
      expect((await auditOf('session.revoked', targetSession.id))[0]).toMatchObject({
        actorId: admin.id,
      });

      const keyPath = `/admin/console/users/${target.id}/api-keys/${key.id}/revoke`;
      await post(keyPath, adminSession).expect(200);
      expect((await t.app.get(ApiKeysService).list(target.id))[0].status).toBe('active');
      await post(keyPath, adminSession, { confirm: 'yes' }).expect(303);
      expect((await t.app.get(ApiKeysService).list(target.id))[0].status).toBe('revoked');
      expect((await auditOf('api_key.revoked', key.id))[0]).toMatchObject({ actorId: admin.id });
      // Someone else's session or key: 404 on the page, nothing ended.
      await post(
        `/admin/console/users/${member.id}/sessions/${adminSession.id}/revoke`,
        adminSession,
        {
          confirm: 'yes',
        },
      ).expect(404);
      await get('/admin', adminSession).expect(200);
    });

    it('answers an unknown user with a 404 page', async () => {
      const response = await get(
        '/admin/console/users/00000000-0000-4000-8000-000000000000',
        adminSession,
      ).expect(404);
      expect(squash(response.text)).toContain('<h1>Not found</h1>');
    });
  });

  describe('clients', () => {
    it('creates a client and shows its secret once', async () => {
      const response = await post('/admin/console/clients', adminSession, {
        name: 'billing <worker>',
        scopes: 'usage:report  orders:read',
      }).expect(200);
      const page = squash(response.text);
      const secret = must(SECRET_FIELD.exec(page)?.[1], 'secret');
      const clientId = must(/Client id ?<code>(svc_[^<]+)<\/code>/.exec(page)?.[1], 'client id');
      expect(page).toContain('billing &lt;worker&gt;');
      expect(await t.app.get(ClientsService).authenticate(clientId, secret)).not.toBeNull();
      const listed = (await t.app.get(ClientsService).list()).find((c) => c.clientId === clientId);
      expect(listed?.scopes).toEqual(['usage:report', 'orders:read']);
      expect(await auditOf('client.created', clientId)).toHaveLength(1);
      const later = squash((await get('/admin/console/clients', adminSession).expect(200)).text);
      expect(later).toContain(clientId);
      expect(later).not.toContain(secret);
    });

    it('refuses an empty name or bad scopes on the page', async () => {
      const empty = await post('/admin/console/clients', adminSession, { name: '  ' }).expect(400);
      expect(squash(empty.text)).toContain('Give the client a name.');
      const bad = await post('/admin/console/clients', adminSession, {
        name: 'x',
        scopes: 'a"b',
      }).expect(400);
      expect(squash(bad.text)).toContain('scopes must be');
    });

    it('rotates a secret after a confirmation: the old one stops working', async () => {
      const clients = t.app.get(ClientsService);
      const client = await clients.create({ name: 'rotating', scopes: [] });
      const path = `/admin/console/clients/${client.clientId}/rotate-secret`;
      await post(path, adminSession).expect(200);
      expect(await clients.authenticate(client.clientId, client.clientSecret)).not.toBeNull();
      const page = squash((await post(path, adminSession, { confirm: 'yes' }).expect(200)).text);
      const secret = must(SECRET_FIELD.exec(page)?.[1], 'secret');
      expect(secret).toMatch(/^cs_/);
      expect(await clients.authenticate(client.clientId, client.clientSecret)).toBeNull();
      expect(await clients.authenticate(client.clientId, secret)).not.toBeNull();
      expect(await auditOf('client.secret_rotated', client.clientId)).toHaveLength(1);
    });

    it('deletes a client after a confirmation', async () => {
      const clients = t.app.get(ClientsService);
      const client = await clients.create({ name: 'doomed', scopes: [] });
      const path = `/admin/console/clients/${client.clientId}/delete`;
      expect(squash((await post(path, adminSession).expect(200)).text)).toContain(
        `Delete the client ${client.clientId}?`,
      );
      expect(await clients.findActive(client.clientId)).not.toBeNull();
      const done = await post(path, adminSession, { confirm: 'yes' }).expect(303);
      expect(done.headers.location).toBe('/admin/console/clients?notice=client_deleted');
      expect(await clients.findActive(client.clientId)).toBeNull();
      expect(await auditOf('client.revoked', client.clientId)).toHaveLength(1);
      await post(`/admin/console/clients/${client.clientId}/rotate-secret`, adminSession, {
        confirm: 'yes',
      }).expect(409);
    });
  });

  describe('signing keys', () => {
    it('explains a 409 too_early, offers to force, and rotates when forced and confirmed', async () => {
      const keys = t.app.get(KeysService);
      const before = await keys.list();
      const next = must(before.find((k) => k.status === 'next'));
      const asked = squash(
        (await post('/admin/console/keys/rotate', adminSession).expect(200)).text,
      );
      expect(asked).toContain('Rotate the signing keys?');
      const early = squash(
        (await post('/admin/console/keys/rotate', adminSession, { confirm: 'yes' }).expect(409))
          .text,
      );
      expect(early).toContain('A normal rotation is possible in');
      expect(early).toContain('<input type="hidden" name="force" value="true">');
      expect(await keys.list()).toEqual(before);
      const forced = squash(
        (await post('/admin/console/keys/rotate', adminSession, { force: 'true' }).expect(200))
          .text,
      );
      expect(forced).toContain('Force a rotation of the signing keys?');
      expect(forced).toContain('<input type="hidden" name="force" value="true">');
      const done = await post('/admin/console/keys/rotate', adminSession, {
        force: 'true',
        confirm: 'yes',
      }).expect(303);
      expect(done.headers.location).toBe('/admin/console/keys?notice=keys_rotated');
      const after = await keys.list();
      expect(after.find((k) => k.kid === next.kid)?.status).toBe('active');
      const [event] = await auditOf('keys.rotated', next.kid);
      expect(event).toMatchObject({
        actorId: admin.id,
        details: expect.objectContaining({ forced: true }),
      });
    });

    it('revokes a key after a confirmation', async () => {
      const keys = t.app.get(KeysService);
      const next = must((await keys.list()).find((k) => k.status === 'next'));
      const path = `/admin/console/keys/${next.kid}/revoke`;
      expect(squash((await post(path, adminSession).expect(200)).text)).toContain(
        `Revoke the signing key ${next.kid}?`,
      );
      expect((await keys.list()).find((k) => k.kid === next.kid)?.status).toBe('next');
      const done = await post(path, adminSession, { confirm: 'yes' }).expect(303);
      expect(done.headers.location).toBe('/admin/console/keys?notice=signing_key_revoked');
      expect((await keys.list()).find((k) => k.kid === next.kid)?.status).toBe('revoked');
      expect(await auditOf('keys.revoked', next.kid)).toHaveLength(1);
      await post('/admin/console/keys/no-such-kid/revoke', adminSession, { confirm: 'yes' }).expect(
        404,
      );
    });
  });

  describe('audit log', () => {
    it('filters by type, outcome, actor, subject and day, newest first', async () => {
      const target = await createUser(t);
      await t.users.update(
        target.id,
        { roles: ['user', 'tester'] },
        { type: 'user', id: admin.id },
      );
      await t.app.get(AuditService).flush();
      const today = new Date(t.clock.now()).toISOString().slice(0, 10);
      const query = `type=user.*&outcome=success&actorId=${admin.id}&subjectId=${target.id}&from=${today}&to=${today}`;
      const page = squash(
        (await get(`/admin/console/audit?${query}`, adminSession).expect(200)).text,
      );
      expect(page.match(/<tr><td data-label="Time">/g)).toHaveLength(1);
      expect(page).toContain('<code>user.roles_changed</code>');
      expect(page).toContain('<option value="user.*" selected>');
      const tomorrow = new Date(t.clock.now() + 86_400_000).toISOString().slice(0, 10);
      const none = squash(
        (
          await get(
            `/admin/console/audit?subjectId=${target.id}&from=${tomorrow}`,
            adminSession,
          ).expect(200)
        ).text,
      );
      expect(none).toContain('No event matches.');
      const failures = squash(
        (await get('/admin/console/audit?outcome=failure', adminSession).expect(200)).text,
      );
      expect(failures).not.toContain('<span class="badge">success</span>');
    });

    it('refuses malformed filters on the page', async () => {
      for (const query of [
        'from=2026-02-30',
        'to=yesterday',
        'type=DROP%20TABLE',
        'outcome=maybe',
      ]) {
        const response = await get(`/admin/console/audit?${query}`, adminSession).expect(400);
        expect(squash(response.text)).toContain('role="alert"');
      }
    });
  });
});

describe('Admin console: the last admin', () => {
  let t: SessionTestApp;

  beforeAll(async () => {
    t = await startSessionApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('shows the 409 last_admin message instead of disabling or demoting the only admin', async () => {
    const only = await createUser(t, ['admin']);
    const session = await signIn(t, only);
    for (const [path, fields] of [
      [`/admin/console/users/${only.id}/disable`, { confirm: 'yes' }],
      [`/admin/console/users/${only.id}/roles`, { roles: 'user', confirm: 'yes' }],
    ] as const) {
      const response = await request(t.http)
        .post(path)
        .set('Cookie', session.cookie)
        .type('form')
        .send({ _csrf: session.csrfToken, ...fields })
        .expect(409);
      expect(squash(response.text)).toContain(
        'This change would leave no active admin: make another user an admin first',
      );
    }
    expect(await t.users.findById(only.id)).toMatchObject({ roles: ['admin'], disabled: false });
  });
});
