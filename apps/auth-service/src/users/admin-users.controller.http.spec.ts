import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { KeycardAuthModule } from '@keycard/auth';
import { ManualClock } from '@keycard/common';
import { bearer, makeTestKeyPair } from '@keycard/testing';
import { createTestApp } from '../testing/test-app';
import { TestGlobalsModule } from '../testing/test-globals';
import { RECORDER_ENTITIES, TestRecordersModule } from '../testing/test-recorders';
import { UserEntity } from './user.entity';
import { UsersModule } from './users.module';
import { UsersService } from './users.service';

const ISSUER = 'http://issuer.test';
const AUDIENCE = 'keycard';
const key = makeTestKeyPair('admin-users-test');

/** An access token minted at run time; the guard checks `exp` against the real time. */
function adminBearer(roles: string[]): string {
  return bearer(key, { iss: ISSUER, aud: AUDIENCE, sub: randomUUID(), roles }, { ttlSeconds: 300 });
}

describe('AdminUsersController (HTTP, SQLite)', () => {
  let app: INestApplication;
  let users: UsersService;
  const admin = adminBearer(['admin', 'user']);

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TestGlobalsModule.with({}, new ManualClock()),
        TestRecordersModule.forRoot(),
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: ':memory:',
          entities: [UserEntity, ...RECORDER_ENTITIES],
          synchronize: true,
        }),
        KeycardAuthModule.forRootAsync({
          useFactory: () => ({
            issuer: ISSUER,
            audience: AUDIENCE,
            tokenCacheMaxEntries: 0,
            keyResolver: {
              getKey: async (kid: string) => (kid === key.kid ? key.publicKey : undefined),
            },
          }),
        }),
        UsersModule,
      ],
    }).compile();
    app = await createTestApp(moduleRef, undefined, 'http');
    users = app.get(UsersService);
    for (let i = 1; i <= 3; i++)
      await users.register(`user${i}@example.com`, 'long enough password');
  });

  afterAll(async () => {
    await app?.close();
  });

  it.each([
    ['no token', undefined, 401],
    ['a user without the admin role', adminBearer(['user']), 403],
  ])('refuses %s', async (_label, authorization, status) => {
    const list = request(app.getHttpServer()).get('/admin/users');
    const patch = request(app.getHttpServer())
      .patch(`/admin/users/${randomUUID()}`)
      .send({ disabled: true });
    for (const call of [list, patch]) {
      const response = await (authorization ? call.set('Authorization', authorization) : call);
      expect(response.status).toBe(status);
    }
  });

  it('lists users a page at a time, without password hashes', async () => {
    const response = await request(app.getHttpServer())
      .get('/admin/users?page=2&pageSize=2')
      .set('Authorization', admin)
      .expect(200);
    expect(response.body).toMatchObject({ page: 2, pageSize: 2, total: 3 });
    expect(response.body.items).toHaveLength(1);
    expect(Object.keys(response.body.items[0]).sort()).toEqual(
      [
        'createdAt',
        'disabled',
        'email',
        'emailVerified',
        'hasPassword',
        'id',
        'name',
        'roles',
        'updatedAt',
      ].sort(),
    );
    expect(JSON.stringify(response.body)).not.toContain('argon2');
  });

  it('defaults to the first page of 20', async () => {
    const response = await request(app.getHttpServer())
      .get('/admin/users')
      .set('Authorization', admin)
      .expect(200);
    expect(response.body).toMatchObject({ page: 1, pageSize: 20, total: 3 });
  });

  it("follows nextCursor through every user once, in the numbered pages' order", async () => {
    const get = async (query: string) =>
      (
        await request(app.getHttpServer())
          .get(`/admin/users?${query}`)
          .set('Authorization', admin)
          .expect(200)
      ).body as { items: { id: string }[]; nextCursor: string | null; total?: number };
    const all = (await get('pageSize=100')).items.map((user) => user.id);
    const first = await get('pageSize=2');
    expect(first).toMatchObject({ page: 1, total: 3, nextCursor: expect.any(String) });
    const seen = first.items.map((user) => user.id);
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const next = await get(`pageSize=2&cursor=${cursor}`);
      expect(Object.keys(next).sort()).toEqual(['items', 'nextCursor', 'pageSize']);
      seen.push(...next.items.map((user) => user.id));
      cursor = next.nextCursor;
    }
    expect(seen).toEqual(all);
    expect(all).toHaveLength(3);
  });

  it('matches a whole address with emailMatch=exact, its start by default', async () => {
    const ids = async (query: string) =>
      (
        await request(app.getHttpServer())
          .get(`/admin/users?${query}`)
          .set('Authorization', admin)
          .expect(200)
      ).body.items.map((user: { email: string }) => user.email);
    expect(await ids('email=USER1@example.com&emailMatch=exact')).toEqual(['user1@example.com']);
    expect(await ids('email=user1@example.co&emailMatch=exact')).toEqual([]);
    expect(await ids('email=user1@example.co')).toEqual(['user1@example.com']);
  });

  it.each([
    ['an empty cursor', 'cursor='],
    ['a cursor that is not base64url', 'cursor=%25%25'],
    ['a cursor of other fields', `cursor=${Buffer.from('x:y').toString('base64url')}`],
    ['a cursor with a negative time', `cursor=${Buffer.from('-1:ab').toString('base64url')}`],
    ['a cursor spelt another way (trailing bits)', 'cursor=MTphYh'],
    ['a cursor too long', `cursor=${'A'.repeat(97)}`],
    ['a cursor with a page', `cursor=${Buffer.from('1:ab').toString('base64url')}&page=2`],
    ['an unknown emailMatch', 'email=a&emailMatch=fuzzy'],
  ])('answers 400 validation_failed for %s', async (_label, query) => {
    expect(Buffer.from('1:ab').toString('base64url')).toBe('MTphYg'); // the spelling MTphYh twists
    const response = await request(app.getHttpServer())
      .get(`/admin/users?${query}`)
      .set('Authorization', admin)
      .expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'validation_failed' });
  });

  it.each(['page=0', 'pageSize=101', 'pageSize=ten', 'page=-1', 'sort=email'])(
    'answers 400 for ?%s',
    async (query) => {
      await request(app.getHttpServer())
        .get(`/admin/users?${query}`)
        .set('Authorization', admin)
        .expect(400);
    },
  );

  it('changes roles and disables a user', async () => {
    const user = await users.register('target@example.com', 'long enough password');
    const response = await request(app.getHttpServer())
      .patch(`/admin/users/${user.id}`)
      .set('Authorization', admin)
      .send({ roles: ['editor', 'user'], disabled: true })
      .expect(200);
    expect(response.body).toMatchObject({ id: user.id, roles: ['editor', 'user'], disabled: true });
    expect(await users.findById(user.id)).toMatchObject({
      roles: ['editor', 'user'],
      disabled: true,
    });
  });

  it.each([randomUUID(), 'not-a-uuid', '1%27%20OR%201%3D1'])(
    'answers 404 for the unknown or malformed id %s',
    async (id) => {
      const response = await request(app.getHttpServer())
        .patch(`/admin/users/${id}`)
        .set('Authorization', admin)
        .send({ disabled: true })
        .expect(404);
      expect(response.body).toMatchObject({ statusCode: 404, error: 'not_found' });
    },
  );

  it.each([
    ['a bad role', { roles: ['Admin!'] }],
    ['roles as a string', { roles: 'admin' }],
    ['disabled as a string', { disabled: 'yes' }],
    ['an unknown field', { passwordHash: 'x' }],
  ])('answers 400 for %s', async (_label, body) => {
    const user = await users.register(`bad-${randomUUID()}@example.com`, 'long enough password');
    await request(app.getHttpServer())
      .patch(`/admin/users/${user.id}`)
      .set('Authorization', admin)
      .send(body)
      .expect(400);
  });
});
