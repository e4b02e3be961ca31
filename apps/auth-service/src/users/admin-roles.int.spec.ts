import type { TestingModule } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { Repository } from 'typeorm';
import { ErrorCode, KeycardError, ManualClock } from '@keycard/common';
import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase, testBackendUrls } from '@keycard/testing';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { AUTH_MIGRATIONS } from '../database/migrations/index';
import { TestGlobalsModule } from '../testing/test-globals';
import { RECORDER_ENTITIES, TestRecordersModule } from '../testing/test-recorders';
import { AdminPromotionService } from './admin-promotion.service';
import { UserEntity } from './user.entity';
import { UsersModule } from './users.module';
import { UsersService } from './users.service';

const backends = testBackendUrls();

const ENTITIES = [UserEntity, ...RECORDER_ENTITIES];

function databaseOptions(url: string | undefined): TypeOrmModuleOptions {
  if (!url) {
    return { type: 'better-sqlite3', database: ':memory:', entities: ENTITIES, synchronize: true };
  }
  // The real migrations, as in production; pool connections so concurrent updates really race.
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: AUTH_MIGRATIONS,
    migrationsRun: true,
  };
}

function codeOf(reason: unknown): string | undefined {
  return reason instanceof KeycardError ? `${reason.status} ${reason.code}` : undefined;
}

describe.each(backends)('admin roles on %s', (_backend, baseUrl) => {
  const clock = new ManualClock();
  let database: TestDatabase | undefined;
  let moduleRef: TestingModule;
  let users: UsersService;
  let promotion: AdminPromotionService;
  let repository: Repository<UserEntity>;
  let audit: Repository<AuditEventEntity>;

  const newUser = (roles: string[] = ['user']) =>
    users.create({ email: `u-${randomBytes(4).toString('hex')}@example.test`, roles });

  async function activeAdmins(): Promise<string[]> {
    const rows = await repository.findBy({ disabled: false });
    return rows.filter((row) => row.roles.includes('admin')).map((row) => row.id);
  }

  beforeAll(async () => {
    database = baseUrl ? await createTestPostgresDatabase(baseUrl, 'admin_roles') : undefined;
    moduleRef = await Test.createTestingModule({
      imports: [
        TestGlobalsModule.with({}, clock),
        TestRecordersModule.forRoot(),
        TypeOrmModule.forRoot(databaseOptions(database?.url)),
        UsersModule,
      ],
    }).compile();
    await moduleRef.init();
    users = moduleRef.get(UsersService);
    promotion = moduleRef.get(AdminPromotionService);
    repository = moduleRef.get(getRepositoryToken(UserEntity));
    audit = moduleRef.get(getRepositoryToken(AuditEventEntity));
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  beforeEach(async () => {
    await repository.clear();
  });

  describe('the last active admin', () => {
    it.each([
      ['demoting her', { roles: ['user'] }],
      ['taking every role', { roles: [] }],
      ['disabling her', { disabled: true }],
      ['demoting and disabling her', { roles: ['user'], disabled: true }],
    ])('is kept: %s is refused with 409 last_admin', async (_label, changes) => {
      const admin = await newUser(['admin', 'user']);
      await newUser(['user']);
      const disabledAdmin = await newUser(['admin']);
      await repository.update({ id: disabledAdmin.id }, { disabled: true });
      const error: unknown = await users.update(admin.id, changes).catch((e: unknown) => e);
      expect(codeOf(error)).toBe('409 last_admin');
      expect(await repository.findOneByOrFail({ id: admin.id })).toMatchObject({
        roles: ['admin', 'user'],
        disabled: false,
      });
    });

    it('may change in ways that keep her an enabled admin', async () => {
      const admin = await newUser(['admin', 'user']);
      await users.update(admin.id, { roles: ['admin', 'editor'], disabled: false });
      expect(await activeAdmins()).toEqual([admin.id]);
    });

    it('can be demoted once another admin is enabled, and that one is then the last', async () => {
      const first = await newUser(['admin']);
      const second = await newUser(['admin']);
      await users.update(second.id, { disabled: true });
      expect(await activeAdmins()).toEqual([first.id]);
      await users.update(second.id, { disabled: false });
      await users.update(first.id, { roles: ['user'] });
      expect(await activeAdmins()).toEqual([second.id]);
      expect(codeOf(await users.update(second.id, { roles: [] }).catch((e: unknown) => e))).toBe(
        '409 last_admin',
      );
    });

    it('is kept when every admin demotes or disables herself at once', async () => {
      const admins = await Promise.all(Array.from({ length: 8 }, () => newUser(['admin'])));
      const results = await Promise.allSettled(
        admins.map((admin, i) =>
          users.update(admin.id, i % 2 ? { disabled: true } : { roles: ['user'] }),
        ),
      );
      const refused = results.filter((result) => result.status === 'rejected');
      expect(refused).toHaveLength(1);
      expect(codeOf((refused[0] as PromiseRejectedResult).reason)).toBe('409 last_admin');
      expect(await activeAdmins()).toHaveLength(1);
    });
  });

  describe('promote-admin', () => {
    it('makes a user an admin, keeping her roles, and audits it as the system', async () => {
      const user = await newUser(['user', 'editor']);
      clock.advance(1000);
      expect(await promotion.promote(user.email.toUpperCase())).toEqual({
        userId: user.id,
        email: user.email,
        changed: true,
        reenabled: false,
      });
      expect(await repository.findOneByOrFail({ id: user.id })).toMatchObject({
        roles: ['user', 'editor', 'admin'],
        disabled: false,
        updatedAt: clock.now(),
      });
      expect(await audit.findBy({ subjectId: user.id })).toEqual([
        expect.objectContaining({
          type: 'user.roles_changed',
          actorType: 'system',
          actorId: null,
          details: { before: ['editor', 'user'], after: ['admin', 'editor', 'user'] },
        }),
      ]);
    });

    it('enables a disabled user, so the way back is an admin who can sign in', async () => {
      const user = await newUser(['admin']);
      await repository.update({ id: user.id }, { disabled: true });
      expect(await promotion.promote(user.email)).toMatchObject({ changed: true, reenabled: true });
      expect(await activeAdmins()).toEqual([user.id]);
      const types = (await audit.findBy({ subjectId: user.id })).map((event) => event.type);
      expect(types).toEqual(['user.enabled']);
    });

    it('changes nothing for a user who already is an enabled admin', async () => {
      const user = await newUser(['admin']);
      clock.advance(1000);
      expect(await promotion.promote(user.email)).toMatchObject({ changed: false });
      expect((await repository.findOneByOrFail({ id: user.id })).updatedAt).toBe(user.updatedAt);
    });

    it('answers 404 not_found for an e-mail no user has', async () => {
      await newUser(['user']);
      const error: unknown = await promotion
        .promote('nobody@example.test')
        .catch((e: unknown) => e);
      expect(codeOf(error)).toBe(`404 ${ErrorCode.NotFound}`);
      expect((error as KeycardError).publicMessage).toBe('No user has this e-mail address');
      expect(await activeAdmins()).toEqual([]);
    });
  });
});
