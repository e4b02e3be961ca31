import request from 'supertest';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { AuditQueryService } from '../audit/audit-query.service';
import { AuditService } from '../audit/audit.service';
import { ClientsService } from '../clients/clients.service';
import type { SessionTestApp, SignedIn } from '../sessions/sessions.test-kit';
import { createUser, PASSWORD, signIn, startSessionApp } from '../sessions/sessions.test-kit';
import type { UserEntity } from '../users/user.entity';

/**
 * The `/admin/*` routes added so that the console never does more than the API: user search and
 * lookup, a user's sessions and API keys, a client's secret rotation. Called as an SPA would,
 * with the session cookie and `X-CSRF-Token`.
 */
describe('Admin API additions over HTTP', () => {
  let t: SessionTestApp;
  let admin: UserEntity;
  let adminSession: SignedIn;
  let memberSession: SignedIn;

  beforeAll(async () => {
    t = await startSessionApp();
    admin = await createUser(t, ['admin', 'user']);
    adminSession = await signIn(t, admin);
    memberSession = await signIn(t, await createUser(t));
  });

  afterAll(async () => {
    await t?.close();
  });

  const call = (method: 'get' | 'post' | 'delete', path: string, session = adminSession) =>
    request(t.http)
      [method](path)
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrfToken);
  const auditOf = async (type: string, subjectId: string) => {
    await t.app.get(AuditService).flush();
    return (await t.app.get(AuditQueryService).list({ type, subjectId }, 1, 10)).items;
  };

  it('GET /admin/users?email= lists the users whose address starts with it, wildcards literal', async () => {
    const stamp = Date.now().toString(36);
    const match = await t.users.create({ email: `q_${stamp}@example.test`, password: PASSWORD });
    await t.users.create({ email: `qx${stamp}@example.test`, password: PASSWORD });
    const response = await call('get', `/admin/users?email=Q_${stamp}`).expect(200);
    expect(response.body).toMatchObject({ total: 1, items: [{ id: match.id }] });
    const none = await call('get', '/admin/users?email=%25').expect(200);
    expect(none.body).toMatchObject({ total: 0, items: [] });
    await call('get', `/admin/users?email=${'a'.repeat(255)}`).expect(400);
    await call('get', `/admin/users?email=q`, memberSession).expect(403);
  });

  it('GET /admin/users?q= finds users by the start of a word of their address or name, with stable pages', async () => {
    const stamp = Date.now().toString(36);
    const byName = await t.users.create({
      email: `first-${stamp}@example.test`,
      password: PASSWORD,
      name: `Ada Zq${stamp} Lovelace`,
    });
    const byEmail = await t.users.create({
      email: `zq${stamp}-x@example.test`,
      password: PASSWORD,
    });
    await t.users.create({ email: `other-${stamp}@example.test`, password: PASSWORD });
    const found = await call('get', `/admin/users?q=ZQ${stamp}`).expect(200);
    expect(found.body.total).toBe(2);
    const ids = found.body.items.map((user: { id: string }) => user.id) as string[];
    expect([...ids].sort()).toEqual([byName.id, byEmail.id].sort());
    // Pages follow the same order (creation time, then id), so paging neither repeats nor skips.
    const firstPage = await call('get', `/admin/users?q=zq${stamp}&pageSize=1`).expect(200);
    const secondPage = await call('get', `/admin/users?q=zq${stamp}&pageSize=1&page=2`).expect(200);
    expect([firstPage.body.items[0].id, secondPage.body.items[0].id]).toEqual(ids);
    const both = await call('get', `/admin/users?q=zq${stamp}&email=first-`).expect(200);
    expect(both.body).toMatchObject({ total: 1, items: [{ id: byName.id }] });
    const literal = await call('get', `/admin/users?q=${encodeURIComponent('%')}`).expect(200);
    expect(literal.body.total).toBe(0);
  });

  it('GET /admin/users/:id answers one user, 404 for an unknown or malformed id', async () => {
    const user = await createUser(t);
    const response = await call('get', `/admin/users/${user.id}`).expect(200);
    expect(response.body).toMatchObject({ id: user.id, email: user.email, disabled: false });
    expect(response.body).not.toHaveProperty('passwordHash');
    await call('get', '/admin/users/00000000-0000-4000-8000-000000000000').expect(404);
    await call('get', '/admin/users/not-a-uuid').expect(404);
    await call('get', `/admin/users/${user.id}`, memberSession).expect(403);
  });

  it("lists and ends a user's sessions, audited with the admin as the actor", async () => {
    const user = await createUser(t);
    const session = await signIn(t, user);
    const listed = await call('get', `/admin/users/${user.id}/sessions`).expect(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: session.id, current: false })]);
    expect(JSON.stringify(listed.body)).not.toContain(session.csrfToken);
    await call('delete', `/admin/users/${user.id}/sessions/${session.id}`, memberSession).expect(
      403,
    );
    await call('delete', `/admin/users/${user.id}/sessions/${session.id}`).expect(204);
    await request(t.http).get('/session').set('Cookie', session.cookie).expect(401);
    await call('delete', `/admin/users/${user.id}/sessions/${session.id}`).expect(404);
    // Another user's session through this user's path: 404, and it lives on.
    await call('delete', `/admin/users/${user.id}/sessions/${memberSession.id}`).expect(404);
    await request(t.http).get('/session').set('Cookie', memberSession.cookie).expect(200);
    expect((await auditOf('session.revoked', session.id))[0]).toMatchObject({
      actorId: admin.id,
      details: { userId: user.id },
    });
  });

  it("lists (without secrets) and revokes a user's API keys", async () => {
    const user = await createUser(t);
    const key = await t.app.get(ApiKeysService).create(user.id, { name: 'ci' });
    const listed = await call('get', `/admin/users/${user.id}/api-keys`).expect(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: key.id, status: 'active' })]);
    expect(JSON.stringify(listed.body)).not.toContain(key.key);
    await call('delete', `/admin/users/${user.id}/api-keys/${key.id}`, memberSession).expect(403);
    await call('delete', `/admin/users/${admin.id}/api-keys/${key.id}`).expect(404);
    await call('delete', `/admin/users/${user.id}/api-keys/${key.id}`).expect(204);
    expect((await t.app.get(ApiKeysService).list(user.id))[0].status).toBe('revoked');
    expect((await auditOf('api_key.revoked', key.id))[0]).toMatchObject({ actorId: admin.id });
  });

  it('POST /admin/clients/:id/rotate-secret replaces the secret (200), 404 unknown, 409 revoked', async () => {
    const clients = t.app.get(ClientsService);
    const client = await clients.create({ name: 'svc', scopes: ['a'] });
    await call('post', `/admin/clients/${client.clientId}/rotate-secret`, memberSession).expect(
      403,
    );
    const response = await call('post', `/admin/clients/${client.clientId}/rotate-secret`).expect(
      200,
    );
    expect(response.body).toEqual({
      clientId: client.clientId,
      clientSecret: expect.stringMatching(/^cs_/),
      name: 'svc',
      scopes: ['a'],
    });
    expect(await clients.authenticate(client.clientId, client.clientSecret)).toBeNull();
    expect(await clients.authenticate(client.clientId, response.body.clientSecret)).not.toBeNull();
    expect((await auditOf('client.secret_rotated', client.clientId))[0]).toMatchObject({
      actorId: admin.id,
    });
    await call('post', '/admin/clients/no-such-client/rotate-secret').expect(404);
    await call('delete', `/admin/clients/${client.clientId}`).expect(204);
    const revoked = await call('post', `/admin/clients/${client.clientId}/rotate-secret`).expect(
      409,
    );
    expect(revoked.body.error).toBe('conflict');
  });

  it('documents the new routes in the OpenAPI document, and leaves the console pages out', async () => {
    const { body } = await request(t.http).get('/docs-json').expect(200);
    const paths = Object.keys((body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/admin/overview',
        '/admin/users/{id}',
        '/admin/users/{userId}/sessions',
        '/admin/users/{userId}/sessions/{id}',
        '/admin/users/{userId}/api-keys',
        '/admin/users/{userId}/api-keys/{id}',
        '/admin/clients/{id}/rotate-secret',
      ]),
    );
    expect(paths.filter((path) => path === '/admin' || path.startsWith('/admin/console'))).toEqual(
      [],
    );
    const users = (body as { paths: Record<string, { get: { parameters: { name: string }[] } }> })
      .paths['/admin/users'];
    expect(users.get.parameters.map((parameter) => parameter.name)).toContain('email');
  });

  it('refuses a state change with the cookie but without X-CSRF-Token', async () => {
    const user = await createUser(t);
    const session = await signIn(t, user);
    const response = await request(t.http)
      .delete(`/admin/users/${user.id}/sessions/${session.id}`)
      .set('Cookie', adminSession.cookie)
      .expect(403);
    expect(response.body.error).toBe('csrf_failed');
  });
});
