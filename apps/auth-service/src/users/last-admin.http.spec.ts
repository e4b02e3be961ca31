import { getRepositoryToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { Repository } from 'typeorm';
import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase, testBackendUrls } from '@keycard/testing';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import { createUser, PASSWORD, startSessionApp } from '../sessions/sessions.test-kit';
import { UserEntity } from './user.entity';

jest.setTimeout(60_000);

const backends = testBackendUrls();

/** `PATCH /admin/users/:id` (409 when it would leave no active admin), over HTTP on each database. */
describe.each(backends)('the last active admin over HTTP (%s)', (_backend, baseUrl) => {
  let database: TestDatabase | undefined;
  let t: SessionTestApp;
  let repository: Repository<UserEntity>;

  async function adminWithToken(): Promise<{ admin: UserEntity; token: string }> {
    const admin = await createUser(t, ['admin', 'user']);
    const response = await request(t.http)
      .post('/auth/login')
      .send({ email: admin.email, password: PASSWORD })
      .expect(200);
    return { admin, token: (response.body as { accessToken: string }).accessToken };
  }

  function patch(token: string, id: string, body: object) {
    return request(t.http)
      .patch(`/admin/users/${id}`)
      .set('Authorization', `Bearer ${token}`)
      .send(body);
  }

  async function activeAdmins(): Promise<string[]> {
    const rows = await repository.findBy({ disabled: false });
    return rows.filter((row) => row.roles.includes('admin')).map((row) => row.id);
  }

  beforeAll(async () => {
    database = baseUrl ? await createTestPostgresDatabase(baseUrl, 'last_admin') : undefined;
    t = await startSessionApp(database ? { DATABASE_URL: database.url } : {});
    repository = t.app.get(getRepositoryToken(UserEntity));
  });

  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  // Each case starts with no active admin but its own (earlier cases' users are disabled directly).
  beforeEach(async () => {
    await repository.createQueryBuilder().update(UserEntity).set({ disabled: true }).execute();
  });

  it.each([
    ['demote herself', { roles: ['user'] }],
    ['disable herself', { disabled: true }],
    ['drop every role and disable herself', { roles: [], disabled: true }],
  ])('refuses the last active admin to %s: 409 last_admin', async (_label, body) => {
    const { admin, token } = await adminWithToken();
    const disabledAdmin = await createUser(t, ['admin']);
    await patch(token, disabledAdmin.id, { disabled: true }).expect(200);
    const response = await patch(token, admin.id, body).expect(409);
    expect(response.body).toEqual({
      statusCode: 409,
      error: 'last_admin',
      message: 'This change would leave no active admin: make another user an admin first',
    });
    expect(await activeAdmins()).toEqual([admin.id]);
    await request(t.http).get('/admin/users').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('lets an admin step down once another one is active', async () => {
    const { admin, token } = await adminWithToken();
    const other = await createUser(t, ['admin']);
    await patch(token, admin.id, { roles: ['user'] }).expect(200);
    expect(await activeAdmins()).toEqual([other.id]);
  });

  it('keeps one admin when the only two disable themselves at the same moment', async () => {
    const [one, two] = [await adminWithToken(), await adminWithToken()];
    const statuses = await Promise.all(
      [one, two].map(async ({ admin, token }) => {
        const response = await patch(token, admin.id, { disabled: true });
        return response.status;
      }),
    );
    expect(statuses.sort()).toEqual([200, 409]);
    expect(await activeAdmins()).toHaveLength(1);
  });
});
