import { statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import {
  itServesHealthAndItsCaller,
  startServiceApp,
  type ServiceAppUnderTest,
} from '@keycard/testing';
import { createApp } from './app.factory';

describe('resource-service over HTTP (Fastify, SQLite)', () => {
  let running: ServiceAppUnderTest;
  let alice: string;
  let bob: string;
  let admin: string;

  const http = () => request(running.app.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    running = await startServiceApp(createApp, {
      settings: ['AUTH_INTERNAL_URL', 'RESOURCE_DATABASE_URL', 'REDIS_URL'],
    });
    const { issuer } = running;
    alice = issuer.token({ sub: 'alice', roles: ['user'], scope: 'profile' });
    bob = issuer.token({ sub: 'bob', roles: ['user'] });
    admin = issuer.token({ sub: 'root', roles: ['user', 'admin'] });
  });

  afterAll(() => running?.close());

  it('keeps its SQLite files owner only (0600: they hold every document)', () => {
    for (const file of ['resource.sqlite', 'resource.sqlite-wal', 'resource.sqlite-shm']) {
      expect([file, statSync(join(running.dataDir, file)).mode & 0o777]).toEqual([file, 0o600]);
    }
  });

  itServesHealthAndItsCaller(
    () => running,
    '/me',
    () => alice,
  );

  it('GET /me answers each caller with its own view, repeat callers included (views are kept per principal)', async () => {
    for (const [token, sub, roles, scope] of [
      [alice, 'alice', ['user'], 'profile'],
      [bob, 'bob', ['user'], ''],
      [alice, 'alice', ['user'], 'profile'],
      [admin, 'root', ['user', 'admin'], ''],
      [bob, 'bob', ['user'], ''],
    ] as const) {
      const response = await http().get('/me').set(bearer(token)).expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({ sub, roles, scope, authType: 'jwt' });
    }
  });

  it('answers 401 with WWW-Authenticate without a token, and invalid_token for a bad one', async () => {
    const missing = await http().get('/me').expect(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.body).toMatchObject({ statusCode: 401, error: 'missing_credentials' });
    const bad = await http()
      .get('/documents')
      .set(bearer(`${alice.slice(0, -4)}AAAA`))
      .expect(401);
    expect(bad.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it("creates, reads, updates and deletes the caller's own document", async () => {
    const created = await http()
      .post('/documents')
      .set(bearer(alice))
      .send({ title: 'Plan', body: 'text' })
      .expect(201);
    expect(created.body).toMatchObject({ title: 'Plan', body: 'text', ownerId: 'alice' });
    expect(new Date(created.body.createdAt).toISOString()).toBe(created.body.createdAt);
    const id: string = created.body.id;
    await http().get(`/documents/${id}`).set(bearer(alice)).expect(200);
    const patched = await http()
      .patch(`/documents/${id}`)
      .set(bearer(alice))
      .send({ body: 'new text' })
      .expect(200);
    expect(patched.body).toMatchObject({ title: 'Plan', body: 'new text' });
    await http().delete(`/documents/${id}`).set(bearer(alice)).expect(204);
    await http().get(`/documents/${id}`).set(bearer(alice)).expect(404);
  });

  it("answers 404 for another user's document, lets an admin see everything", async () => {
    const { body: doc } = await http()
      .post('/documents')
      .set(bearer(alice))
      .send({ title: 'Mine', body: '' })
      .expect(201);
    await http().post('/documents').set(bearer(bob)).send({ title: "Bob's", body: '' }).expect(201);
    await http().get(`/documents/${doc.id}`).set(bearer(bob)).expect(404);
    await http().patch(`/documents/${doc.id}`).set(bearer(bob)).send({ title: 'x' }).expect(404);
    await http().delete(`/documents/${doc.id}`).set(bearer(bob)).expect(404);
    const bobs = await http().get('/documents').set(bearer(bob)).expect(200);
    expect(bobs.body.map((d: { ownerId: string }) => d.ownerId)).toEqual(['bob']);
    const all = await http().get('/documents').set(bearer(admin)).expect(200);
    expect(new Set(all.body.map((d: { ownerId: string }) => d.ownerId))).toEqual(
      new Set(['alice', 'bob']),
    );
    await http().get(`/documents/${doc.id}`).set(bearer(admin)).expect(200);
  });

  it('answers 404, not 500, for a malformed id', async () => {
    await http().get('/documents/not-a-uuid').set(bearer(alice)).expect(404);
    await http().delete('/documents/%27%20OR%201%3D1').set(bearer(admin)).expect(404);
  });

  it('GET /admin/stats is for admins only', async () => {
    const denied = await http().get('/admin/stats').set(bearer(alice)).expect(403);
    expect(denied.body.error).toBe('forbidden');
    const stats = await http().get('/admin/stats').set(bearer(admin)).expect(200);
    expect(stats.body).toEqual({ documents: expect.any(Number), owners: expect.any(Number) });
    expect(stats.body.owners).toBeGreaterThanOrEqual(2);
  });

  it('restricts a client token by its scopes', async () => {
    const reader = running.issuer.token({ sub: 'svc', client_id: 'svc', scope: 'documents:read' });
    await http().get('/documents').set(bearer(reader)).expect(200);
    const denied = await http()
      .post('/documents')
      .set(bearer(reader))
      .send({ title: 't', body: '' })
      .expect(403);
    expect(denied.body.error).toBe('insufficient_scope');
  });

  describe('bad bodies', () => {
    const post = (payload: string | object) => {
      const call = http().post('/documents').set(bearer(alice));
      return typeof payload === 'string'
        ? call.set('Content-Type', 'application/json').send(payload)
        : call.send(payload);
    };

    it('invalid JSON is a 400', async () => {
      const response = await post('{"title": "x",').expect(400);
      expect(response.body.statusCode).toBe(400);
      expect(response.body.message).toEqual(expect.anything());
    });

    it('a 70 KiB body is a 413', async () => {
      const response = await post({ title: 'big', body: 'x'.repeat(70 * 1024) }).expect(413);
      expect(response.body.statusCode).toBe(413);
    });

    it.each([
      ['a numeric title', { title: 123, body: '' }],
      ['an object body', { title: 't', body: { text: 'x' } }],
      ['a missing title', { body: '' }],
      ['an empty title', { title: '', body: '' }],
      ['a 201-character title', { title: 'x'.repeat(201), body: '' }],
      ['a 20001-character body', { title: 't', body: 'x'.repeat(20_001) }],
      ['an unknown field', { title: 't', body: '', ownerId: 'bob' }],
      ['an array', [{ title: 't', body: '' }]],
    ])('%s is a 400', async (_name, payload) => {
      const response = await post(payload).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400 });
    });

    const nested = (depth: number) => `{"title":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

    it.each([
      ['5,000 levels of [', '['.repeat(5000) + ']'.repeat(5000)],
      ['5,000 levels of {"a":', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)],
      ['a title nested 5,000 deep', nested(5000)],
      ['a title nested 33 deep', nested(33)],
    ])('%s is a 400 validation_failed before anything walks it', async (_name, payload) => {
      const response = await post(payload).expect(400);
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'validation_failed',
        message: 'JSON nested deeper than 32 levels',
      });
    });

    it('a title nested 32 deep gets past the depth limit to the DTO rules', async () => {
      const response = await post(nested(32)).expect(400);
      expect(response.body.error).toBe('validation_failed');
      expect(response.body.message).toEqual(
        expect.arrayContaining([expect.stringMatching(/title/)]),
      );
    });
  });
});
