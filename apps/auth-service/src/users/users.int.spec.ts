import { Logger } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import { hash as bcryptHash } from 'bcrypt';
import { randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';
import { DataSource } from 'typeorm';
import { ErrorCode, KeycardError, ManualClock } from '@keycard/common';
import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase, testBackendUrls } from '@keycard/testing';
import { AUTH_MIGRATIONS } from '../database/migrations/index';
import { TestGlobalsModule } from '../testing/test-globals';
import { RECORDER_ENTITIES, TestRecordersModule } from '../testing/test-recorders';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { PasswordHasher } from './password-hasher';
import { UserEventsService } from './user-events.service';
import { UserEntity } from './user.entity';
import { UsersModule } from './users.module';
import { UsersService } from './users.service';

const PASSWORD = 'correct horse battery staple';
const ADMIN = { email: 'Root@Example.com', password: 'bootstrap-admin-password' };

const backends = testBackendUrls();

function databaseOptions(url: string | undefined): TypeOrmModuleOptions {
  if (!url)
    return {
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [UserEntity, ...RECORDER_ENTITIES],
      synchronize: true,
    };
  // PostgreSQL gets its schema from the hand-written migrations, as in production: all of them,
  // since later ones (the sign-in context's users.mfa_methods) alter the users table too.
  return {
    type: 'postgres',
    url,
    entities: [UserEntity, ...RECORDER_ENTITIES],
    migrations: AUTH_MIGRATIONS,
    migrationsRun: true,
  };
}

function conflict(reason: unknown): boolean {
  return (
    reason instanceof KeycardError && reason.code === ErrorCode.Conflict && reason.status === 409
  );
}

describe.each(backends)('users on %s', (_backend, baseUrl) => {
  const clock = new ManualClock();
  let database: TestDatabase | undefined;
  let moduleRef: TestingModule;
  let users: UsersService;
  let hasher: PasswordHasher;
  let events: UserEventsService;
  let repository: Repository<UserEntity>;
  let adminAtStart: UserEntity | null;

  beforeAll(async () => {
    database = baseUrl ? await createTestPostgresDatabase(baseUrl, 'users') : undefined;
    moduleRef = await Test.createTestingModule({
      imports: [
        TestGlobalsModule.with({ bootstrapAdmin: ADMIN }, clock),
        TestRecordersModule.forRoot(),
        TypeOrmModule.forRoot(databaseOptions(database?.url)),
        UsersModule,
      ],
    }).compile();
    await moduleRef.init(); // runs the admin bootstrap
    users = moduleRef.get(UsersService);
    hasher = moduleRef.get(PasswordHasher);
    events = moduleRef.get(UserEventsService);
    repository = moduleRef.get(getRepositoryToken(UserEntity));
    adminAtStart = await users.findByEmail(ADMIN.email);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  beforeEach(async () => {
    await repository.clear();
    jest.restoreAllMocks();
  });

  if (baseUrl) {
    it('has a migration that matches the entity (no pending schema changes)', async () => {
      const pending = await moduleRef.get(DataSource).driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    });
  }

  describe('findById', () => {
    it("reads the same user TypeORM's findOneBy reads: JSON roles, booleans, times, nulls", async () => {
      const user = await users.register('grace@example.com', PASSWORD, 'Grace');
      await repository.update(
        { id: user.id },
        { roles: ['user', 'admin'], disabled: true, emailVerified: true, mfaMethods: 'totp' },
      );
      const bare = await users.register('bare@example.com', PASSWORD);
      for (const id of [user.id, bare.id]) {
        const found = await users.findById(id);
        expect(found).toBeInstanceOf(UserEntity);
        expect(found).toEqual(await repository.findOneByOrFail({ id }));
      }
      expect(await users.findById(user.id)).toMatchObject({
        roles: ['user', 'admin'],
        disabled: true,
        createdAt: user.createdAt,
      });
      expect(await users.findById(randomUUID())).toBeNull();
      expect(await users.findById('not-a-uuid')).toBeNull();
    });
  });

  describe('findByEmail', () => {
    it("finds the user by its address as typed (normalised), as TypeORM's findOneBy reads it", async () => {
      const user = await users.register('Linus@Example.com', PASSWORD, 'Linus');
      await repository.update({ id: user.id }, { roles: ['user', 'admin'], mfaMethods: 'totp' });
      const found = await users.findByEmail('  LINUS@example.COM ');
      expect(found).toBeInstanceOf(UserEntity);
      expect(found).toEqual(await repository.findOneByOrFail({ id: user.id }));
      expect(found).toMatchObject({ email: 'linus@example.com', roles: ['user', 'admin'] });
      expect(await users.findByEmail('linus@example.org')).toBeNull();
      expect(await users.findByEmail("' OR 1=1 --")).toBeNull();
    });
  });

  describe('register', () => {
    it('stores a lowercased email, an argon2id hash and the default role', async () => {
      const user = await users.register(' Ada@Example.COM ', PASSWORD, 'Ada');
      const stored = await repository.findOneByOrFail({ id: user.id });
      expect(stored).toMatchObject({
        email: 'ada@example.com',
        name: 'Ada',
        roles: ['user'],
        disabled: false,
      });
      expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
      expect(stored.createdAt).toBe(clock.now());
    });

    it('answers 409 for a taken email, whatever its case', async () => {
      await users.register('ada@example.com', PASSWORD);
      const error: unknown = await users
        .register('ADA@example.com', PASSWORD)
        .catch((e: unknown) => e);
      expect(conflict(error)).toBe(true);
      expect((error as KeycardError).publicMessage).toBe('Email already registered');
    });

    it('lets exactly one of 10 concurrent registrations of one email through; the others get 409', async () => {
      const attempts = Array.from({ length: 10 }, (_, i) =>
        users.register(i % 2 ? 'race@example.com' : 'RACE@example.com', `${PASSWORD}-${i}`),
      );
      const results = await Promise.allSettled(attempts);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected).toHaveLength(9);
      expect(rejected.every((r) => conflict(r.reason))).toBe(true);
      expect(await repository.countBy({ email: 'race@example.com' })).toBe(1);
    });
  });

  describe('verifyCredentials', () => {
    it('returns the user for the right password and null for a wrong one, one verify each', async () => {
      const user = await users.register('ada@example.com', PASSWORD);
      const verify = jest.spyOn(hasher, 'verify');
      const dummy = jest.spyOn(hasher, 'dummyVerify');
      expect((await users.verifyCredentials('ADA@example.com', PASSWORD))?.id).toBe(user.id);
      expect(await users.verifyCredentials('ada@example.com', 'wrong password')).toBeNull();
      expect(verify).toHaveBeenCalledTimes(2);
      expect(dummy).not.toHaveBeenCalled();
    });

    it('does one dummy verify for an unknown email and for a user without a password', async () => {
      await users.create({ email: 'google-only@example.com', name: 'G' });
      const verify = jest.spyOn(hasher, 'verify');
      const dummy = jest.spyOn(hasher, 'dummyVerify');
      expect(await users.verifyCredentials('nobody@example.com', PASSWORD)).toBeNull();
      expect(await users.verifyCredentials('google-only@example.com', PASSWORD)).toBeNull();
      expect(dummy).toHaveBeenCalledTimes(2);
      expect(verify).not.toHaveBeenCalled();
    });

    it('upgrades a bcrypt hash to argon2id after a successful login', async () => {
      const user = await insertLegacyUser('legacy@example.com', await bcryptHash(PASSWORD, 4));
      clock.advance(60_000);
      expect((await users.verifyCredentials('legacy@example.com', PASSWORD))?.id).toBe(user.id);
      const stored = await repository.findOneByOrFail({ id: user.id });
      expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(stored.updatedAt).toBe(clock.now());
      expect(await hasher.verify(stored.passwordHash ?? '', PASSWORD)).toEqual({
        valid: true,
        needsRehash: false,
      });
      expect((await users.verifyCredentials('legacy@example.com', PASSWORD))?.id).toBe(user.id);
    });

    it('keeps the bcrypt hash after a wrong password', async () => {
      const legacy = await bcryptHash(PASSWORD, 4);
      const user = await insertLegacyUser('legacy@example.com', legacy);
      expect(await users.verifyCredentials('legacy@example.com', 'wrong password')).toBeNull();
      expect((await repository.findOneByOrFail({ id: user.id })).passwordHash).toBe(legacy);
    });

    it('does not overwrite a password changed while the upgrade was being computed', async () => {
      const user = await insertLegacyUser('legacy@example.com', await bcryptHash(PASSWORD, 4));
      const realHash = hasher.hash.bind(hasher);
      jest.spyOn(hasher, 'hash').mockImplementationOnce(async (password) => {
        await repository.update({ id: user.id }, { passwordHash: 'changed-meanwhile' });
        return realHash(password);
      });
      expect(await users.verifyCredentials('legacy@example.com', PASSWORD)).not.toBeNull();
      expect((await repository.findOneByOrFail({ id: user.id })).passwordHash).toBe(
        'changed-meanwhile',
      );
    });

    it('refuses a disabled user even with the right password, and accepts them again when enabled', async () => {
      const user = await users.register('ada@example.com', PASSWORD);
      await users.update(user.id, { disabled: true });
      expect(await users.verifyCredentials('ada@example.com', PASSWORD)).toBeNull();
      await users.update(user.id, { disabled: false });
      expect(await users.verifyCredentials('ada@example.com', PASSWORD)).not.toBeNull();
    });
  });

  describe('admin changes', () => {
    it('tells the subscribers each time a user is disabled, and not when enabled', async () => {
      const user = await users.register('ada@example.com', PASSWORD);
      const disabled: string[] = [];
      const unsubscribe = events.onDisabled(async (id) => void disabled.push(id));
      try {
        await users.update(user.id, { disabled: true });
        await users.update(user.id, { disabled: true });
        await users.update(user.id, { disabled: false });
      } finally {
        unsubscribe();
      }
      expect(disabled).toEqual([user.id, user.id]);
    });

    it('keeps the user disabled and reports the failure when a subscriber fails', async () => {
      const user = await users.register('ada@example.com', PASSWORD);
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const unsubscribe = events.onDisabled(async () => {
        throw new Error('revocation store down');
      });
      try {
        await expect(users.update(user.id, { disabled: true })).rejects.toThrow(
          'listener(s) failed',
        );
      } finally {
        unsubscribe();
      }
      expect((await repository.findOneByOrFail({ id: user.id })).disabled).toBe(true);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('revocation store down'));
    });

    it('replaces roles (duplicates dropped) and keeps them on reload', async () => {
      const user = await users.register('ada@example.com', PASSWORD);
      const updated = await users.update(user.id, { roles: ['admin', 'user', 'admin'] });
      expect(updated.roles).toEqual(['admin', 'user']);
      expect((await users.findById(user.id))?.roles).toEqual(['admin', 'user']);
    });

    it.each([randomUUID(), 'not-a-uuid', "' OR 1=1 --", ''])(
      'answers 404 for the unknown or malformed id %j',
      async (id) => {
        const error: unknown = await users.update(id, { disabled: true }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(KeycardError);
        expect((error as KeycardError).status).toBe(404);
        expect(await users.findById(id)).toBeNull();
      },
    );

    it('lists users a page at a time, oldest first, with the total', async () => {
      for (let i = 1; i <= 5; i++) {
        await users.register(`user${i}@example.com`, PASSWORD);
        clock.advance(1000);
      }
      const page = await users.list({}, { page: 2, pageSize: 2 });
      expect(page.total).toBe(5);
      expect(page.items.map((u) => u.email)).toEqual(['user3@example.com', 'user4@example.com']);
      expect(page.next).toEqual({ createdAt: page.items[1].createdAt, id: page.items[1].id });
      const last = await users.list({}, { page: 3, pageSize: 2 });
      expect(last.items).toHaveLength(1);
      expect(last.next).toBeNull();
      expect((await users.list({}, { page: 4, pageSize: 2 })).items).toHaveLength(0);
    });

    it('pages after a cursor in the same order, ties on the creation time broken by id, without a count', async () => {
      const created: UserEntity[] = [];
      for (let i = 1; i <= 7; i++) {
        created.push(await users.register(`keyset${i}@example.com`, PASSWORD));
        if (i % 3 === 0) clock.advance(1000); // several users share each millisecond
      }
      const expected = [...created]
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
        .map((u) => u.id);
      const seen: string[] = [];
      let page = await users.list({}, { page: 1, pageSize: 3 });
      seen.push(...page.items.map((u) => u.id));
      while (page.next) {
        page = await users.list({}, { after: page.next, pageSize: 3 });
        expect(page.total).toBeUndefined();
        seen.push(...page.items.map((u) => u.id));
      }
      expect(seen).toEqual(expected);
      expect(page.items).toHaveLength(1);
    });

    it('narrows by exact address, address prefix and text; wildcards match themselves', async () => {
      const ada = await users.register('ada@example.com', PASSWORD, 'Ada Lovelace');
      const adam = await users.register('ada@example.com.au', PASSWORD, 'Adam');
      await users.register('grace@example.com', PASSWORD, 'Grace Hopper');
      await users.register('a_b@example.com', PASSWORD);
      const ids = async (filter: Parameters<UsersService['list']>[0]) =>
        (await users.list(filter, { page: 1, pageSize: 10 })).items.map((u) => u.id).sort();
      expect(await ids({ email: ' ADA@example.com' })).toEqual([ada.id, adam.id].sort());
      expect(await ids({ email: 'Ada@Example.com', exactEmail: true })).toEqual([ada.id]);
      expect(await ids({ email: 'ada@', exactEmail: true })).toEqual([]);
      expect(await ids({ email: 'a%' })).toEqual([]);
      expect(await ids({ email: 'a_' })).toHaveLength(1);
      expect(await ids({ q: 'LOVELACE' })).toEqual([ada.id]);
      expect(await ids({ q: '.au' })).toEqual([adam.id]);
      expect(await ids({ q: 'ada', email: 'ada@example.com.' })).toEqual([adam.id]);
    });
    it('q finds text at the start of a word of the address or the name, or anywhere after a *', async () => {
      const people: [string, string | null][] = [
        ['bob.smith@acme.com', 'Bob Smith'],
        ['jo@mail.example', "Jo O'Brien-Lee"],
        ['a_b+tag@x.example', null],
        ['josé@señal.example', 'José García'],
        ['100%@percent.example', 'Back\\Slash'],
        ['smithers@plant.example', 'Waylon (Smithers)'],
      ];
      const ids = new Map<string, string>();
      for (const [i, [email, name]] of people.entries()) {
        const user = repository.create({
          id: `00000000-0000-4000-8000-00000000000${i}`,
          email,
          name,
          passwordHash: null,
          roles: ['user'],
          createdAt: clock.now() + i,
          updatedAt: clock.now() + i,
        });
        await repository.save(user);
        ids.set(email, user.id);
      }
      // The rule, written out: a match starts at the start, at a separator or right after one.
      const separators = " @._+-',/()&";
      const startsAWord = (value: string, text: string) =>
        [...value].some(
          (_, at) =>
            value.startsWith(text, at) &&
            (at === 0 || separators.includes(value[at]) || separators.includes(value[at - 1])),
        );
      const expected = (q: string) => {
        const text = q.trim().toLowerCase();
        const anywhere = text.startsWith('*');
        const wanted = anywhere ? text.replace(/^\*+|\*+$/g, '') : text;
        return people
          .filter(([email, name]) =>
            [email, name?.toLowerCase() ?? ''].some((value) =>
              anywhere ? value.includes(wanted) : startsAWord(value, wanted),
            ),
          )
          .map(([email]) => ids.get(email))
          .sort();
      };
      const found = async (q: string) =>
        (await users.list({ q }, { page: 1, pageSize: 10 })).items.map((u) => u.id).sort();
      const cases: [string, number][] = [
        ['smith', 2], // bob.smith@…, Bob Smith, Waylon (Smithers), smithers@…: two users
        ['SMITH', 2],
        ['mith', 0],
        ['*mith', 2],
        ['*mith*', 2],
        ['acme', 1],
        ['acme.com', 1],
        ['@acme', 1],
        ['.example', 5],
        ['bob smith', 1],
        ['ob smith', 0],
        ['brien', 1],
        ["o'brien", 1],
        ["'brien", 1],
        ['lee', 1],
        ['tag', 1],
        ['b+tag', 1],
        ['garcía', 1],
        ['señal', 1],
        ['100%', 1],
        ['%', 0],
        ['*%', 1],
        ['_', 1], // a separator itself: anywhere
        ['*_', 1],
        ['slash', 0],
        ['back\\s', 1],
        ['*\\', 1],
        ['smithers)', 1],
        ['(smithers', 1],
        ['nobody', 0],
        // tsquery's operators and quoting, taken literally.
        ['&', 0],
        ['|', 0],
        ['!', 0],
        [':*', 0],
        ["'", 1],
        ["''", 0],
        ['a & b', 0],
        ['bob | jo', 0],
      ];
      for (const [q, count] of cases) {
        expect({ q, found: await found(q) }).toEqual({ q, found: expected(q) });
        expect({ q, count: expected(q).length }).toEqual({ q, count });
      }
      expect(await found('*')).toHaveLength(people.length);
      expect((await users.list({ q: 'smith' }, { page: 1, pageSize: 1 })).total).toBe(2);
    });
  });

  describe('bootstrap admin', () => {
    it('was created at start-up with roles admin and user', () => {
      expect(adminAtStart).toMatchObject({ email: 'root@example.com', roles: ['admin', 'user'] });
    });

    it('is idempotent and safe when two instances start at once', async () => {
      const bootstrap = moduleRef.get(AdminBootstrapService);
      await Promise.all([bootstrap.onApplicationBootstrap(), bootstrap.onApplicationBootstrap()]);
      await bootstrap.onApplicationBootstrap();
      expect(await repository.countBy({ email: 'root@example.com' })).toBe(1);
      expect(await users.verifyCredentials(ADMIN.email, ADMIN.password)).toMatchObject({
        roles: ['admin', 'user'],
      });
    });

    it('leaves an existing user with that email as it is', async () => {
      const existing = await users.register(ADMIN.email, 'a different password');
      await moduleRef.get(AdminBootstrapService).onApplicationBootstrap();
      const stored = await repository.findOneByOrFail({ id: existing.id });
      expect(stored.roles).toEqual(['user']);
      expect(stored.passwordHash).toBe(existing.passwordHash);
    });
  });

  /** A user as an older system left it: a password hash from another algorithm. */
  async function insertLegacyUser(email: string, passwordHash: string): Promise<UserEntity> {
    const user = await users.create({ email });
    await repository.update({ id: user.id }, { passwordHash });
    return { ...user, passwordHash };
  }
});
