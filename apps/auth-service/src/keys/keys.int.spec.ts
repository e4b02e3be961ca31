import { ErrorCode, KeycardError, ManualClock } from '@keycard/common';
import { createTestPostgresDatabase, testPostgresUrl } from '@keycard/testing';
import type { TestingModule } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { DataSource } from 'typeorm';
import { SigningKeys1764300000100 } from '../database/migrations/1764300000100-signing-keys';
import { testAuthConfig } from '../testing/test-config';
import { KeysModule } from './keys.module';
import { KeysService } from './keys.service';
import { TestGlobalsModule } from '../testing/test-globals';
import {
  RECORDER_ENTITIES,
  RECORDER_MIGRATIONS,
  TestRecordersModule,
} from '../testing/test-recorders';
import { statuses } from './keys.test-kit';
import { SigningKeyEntity } from './signing-key.entity';

/*
 * The keys module against real databases: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.
 * Every test gets an empty database that any number of "instances" (each its own Nest module and
 * connection, as separate processes would have) can open. Keys are generated for real.
 *
 * What "concurrent rotations yield one rotation" means: a rotation acts on the active key current
 * when it was called. Of several rotations started together, exactly one commits; every other one
 * fails with 409 (`conflict`) instead of rotating the fresh keys once more.
 */

interface Backend {
  name: string;
  /** An empty database with the schema in place: SQLite by synchronize, PostgreSQL by the migration. */
  create(): Promise<{ options: DataSourceOptions; drop(): Promise<void> }>;
}

const sqliteFile: Backend = {
  name: 'sqlite',
  async create() {
    const database = join(mkdtempSync(join(tmpdir(), 'keycard-keys-int-')), 'auth.sqlite');
    const setup: DataSourceOptions = {
      type: 'better-sqlite3',
      database,
      entities: [SigningKeyEntity, ...RECORDER_ENTITIES],
      enableWAL: true,
    };
    await (await new DataSource({ ...setup, synchronize: true }).initialize()).destroy();
    return { options: setup, drop: async () => undefined };
  },
};

function postgres(baseUrl: string): Backend {
  return {
    name: 'postgres',
    async create() {
      const database = await createTestPostgresDatabase(baseUrl, 'keys');
      const setup: DataSourceOptions = {
        type: 'postgres',
        url: database.url,
        entities: [SigningKeyEntity, ...RECORDER_ENTITIES],
      };
      const migrated = await new DataSource({
        ...setup,
        migrations: [SigningKeys1764300000100, ...RECORDER_MIGRATIONS],
      }).initialize();
      await migrated.runMigrations();
      await migrated.destroy();
      return { options: setup, drop: () => database.drop() };
    },
  };
}

const postgresUrl = testPostgresUrl();
const backends = postgresUrl ? [sqliteFile, postgres(postgresUrl)] : [sqliteFile];

// Key generation and scrypt are CPU-bound: leave room for a busy machine.
jest.setTimeout(60_000);

describe.each(backends)('keys on $name', (backend) => {
  const clock = new ManualClock();
  const config = testAuthConfig();
  let database: Awaited<ReturnType<Backend['create']>>;
  let instances: TestingModule[];

  async function instance(init = true): Promise<TestingModule> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TestGlobalsModule.with(config, clock),
        TestRecordersModule.forRoot(),
        TypeOrmModule.forRoot({ ...database.options, retryAttempts: 0 }),
        KeysModule,
      ],
    }).compile();
    moduleRef.useLogger(false);
    instances.push(moduleRef);
    if (init) await moduleRef.init();
    return moduleRef;
  }

  async function tableStatuses(): Promise<string[]> {
    return statuses(instances[0].get(DataSource));
  }

  beforeEach(async () => {
    instances = [];
    database = await backend.create();
  });
  afterEach(async () => {
    await Promise.all(instances.map((moduleRef) => moduleRef.close()));
    await database.drop();
  });

  it('starts two instances at once on an empty database with one active and one next key', async () => {
    const [a, b] = [await instance(false), await instance(false)];
    await Promise.all([a.init(), b.init()]);
    expect(await tableStatuses()).toEqual(['active', 'next']);
    const kids = await Promise.all(
      [a, b].map(async (m) => (await m.get(KeysService).getSigningKey()).kid),
    );
    expect(kids[0]).toBe(kids[1]);
  });

  it('lets exactly one of 10 concurrent forced rotations happen; the others get 409 conflict', async () => {
    const keys = (await instance()).get(KeysService);
    const next = (await keys.list()).find((key) => key.status === 'next');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => keys.rotate({ force: true })),
    );
    const done = results.filter((result) => result.status === 'fulfilled');
    expect(done).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected')
        expect(result.reason).toMatchObject({ code: ErrorCode.Conflict, status: 409 });
    }
    expect(await tableStatuses()).toEqual(['active', 'next', 'retiring']);
    expect((await keys.getSigningKey()).kid).toBe(next?.kid);
  });

  it('lets exactly one rotation happen when two instances rotate at once', async () => {
    const [a, b] = [(await instance()).get(KeysService), (await instance()).get(KeysService)];
    const calls = [a, b, a, b, a, b].map((keys) => keys.rotate({ force: true }));
    const results = await Promise.allSettled(calls);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(KeycardError);
    }
    expect(await tableStatuses()).toEqual(['active', 'next', 'retiring']);
  });

  it('keeps one active and one next key when rotations and revocations race', async () => {
    const [a, b] = [(await instance()).get(KeysService), (await instance()).get(KeysService)];
    const active = (await a.getSigningKey()).kid;
    const results = await Promise.allSettled([
      a.rotate({ force: true }),
      b.revoke(active),
      b.rotate({ force: true }),
      a.revoke(active),
    ]);
    for (const result of results) {
      if (result.status === 'rejected')
        expect(result.reason).toMatchObject({ code: ErrorCode.Conflict });
    }
    const after = await tableStatuses();
    expect(after.filter((status) => status === 'active')).toHaveLength(1);
    expect(after.filter((status) => status === 'next')).toHaveLength(1);
    expect(await a.getVerificationKey(active)).toBeUndefined();
  });

  if (backend.name === 'postgres') {
    it('has a migration that builds exactly the entity schema', async () => {
      const dataSource = (await instance()).get(DataSource);
      const log = await dataSource.driver.createSchemaBuilder().log();
      expect(log.upQueries.map((query) => query.query)).toEqual([]);
      // TypeORM compares index names and columns, not predicates: check those directly.
      const indexes: { indexdef: string }[] = await dataSource.query(
        `SELECT indexdef FROM pg_indexes WHERE tablename = 'signing_keys' AND indexname LIKE 'uq_%' ORDER BY indexname`,
      );
      expect(indexes.map((index) => index.indexdef.replace(/^.* WHERE /, ''))).toEqual([
        "((status)::text = 'active'::text)",
        "((status)::text = 'next'::text)",
      ]);
    });
  }
});
