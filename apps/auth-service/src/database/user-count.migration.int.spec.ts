import type { DataSource } from 'typeorm';
import { describeOnPostgres } from '@keycard/testing';
import type { OpenDatabase } from '../testing/database-backends';
import { migratedUpTo } from '../testing/database-backends';
import { UserCount1764300008000 } from './migrations/1764300008000-user-count';

// The count PostgreSQL keeps for `GET /admin/users`'s `total` (SQLite counts instead).
describeOnPostgres('migration UserCount1764300008000', (serverUrl) => {
  let database: OpenDatabase;
  let dataSource: DataSource;
  let serial = 0;

  const insertUsers = (count: number) => {
    const first = serial;
    serial += count;
    return dataSource.query(
      `INSERT INTO "users" ("id", "email", "name", "password_hash", "roles", "disabled", "created_at", "updated_at")
         SELECT 'u-' || i, 'user' || i || '@example.test', NULL, NULL, 'user', false, i, i
         FROM generate_series($1::int, $2::int) AS i`,
      [first, first + count - 1],
    );
  };
  const kept = async () =>
    Number(((await dataSource.query(`SELECT "n" FROM "user_count"`)) as { n: string }[])[0].n);
  const counted = async () =>
    Number(((await dataSource.query(`SELECT count(*) AS n FROM "users"`)) as { n: string }[])[0].n);

  beforeAll(async () => {
    database = await migratedUpTo(serverUrl, UserCount1764300008000, 'user_count');
    dataSource = database.dataSource;
  });

  afterAll(() => database?.close());

  it('starts at the users already there', async () => {
    await insertUsers(3);
    const runner = dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await new UserCount1764300008000().up(runner);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    expect(await kept()).toBe(3);
  });

  it('follows single and bulk inserts, deletes and a truncate', async () => {
    await insertUsers(1);
    expect(await kept()).toBe(4);
    await insertUsers(500);
    expect(await kept()).toBe(504);
    await dataSource.query(`DELETE FROM "users" WHERE "created_at" < 10`);
    expect(await kept()).toBe(494);
    expect(await kept()).toBe(await counted());
    await dataSource.query(`TRUNCATE "users" CASCADE`);
    expect(await kept()).toBe(0);
    await insertUsers(2);
    expect(await kept()).toBe(2);
  });

  it('counts only what commits, also when transactions insert at once', async () => {
    const before = await kept();
    const runners = [dataSource.createQueryRunner(), dataSource.createQueryRunner()];
    try {
      await Promise.all(runners.map((r) => r.startTransaction()));
      const add = (runner: (typeof runners)[number], id: string) =>
        runner.query(
          `INSERT INTO "users" ("id", "email", "name", "password_hash", "roles", "disabled", "created_at", "updated_at")
             VALUES ($1, $2, NULL, NULL, 'user', false, 0, 0)`,
          [id, `${id}@example.test`],
        );
      await add(runners[0], 'racer-kept');
      // The second waits for the first's lock on the count row, until the first commits.
      const second = add(runners[1], 'racer-undone');
      await runners[0].commitTransaction();
      await second;
      await runners[1].rollbackTransaction();
    } finally {
      await Promise.all(runners.map((r) => r.release()));
    }
    expect(await kept()).toBe(before + 1);
    expect(await kept()).toBe(await counted());
  });

  it('goes away with its down step', async () => {
    const runner = dataSource.createQueryRunner();
    try {
      await new UserCount1764300008000().down(runner);
      expect(await runner.hasTable('user_count')).toBe(false);
      await insertUsers(1); // no trigger is left to fail it
    } finally {
      await runner.release();
    }
  });
});
