import { DataSource } from 'typeorm';
import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase, testPostgresUrl } from '@keycard/testing';
import { AUTH_MIGRATIONS } from './migrations/index';
import { UsersEmailVerified1764300001000 } from './migrations/1764300001000-users-email-verified';

const postgresUrl = testPostgresUrl();

// The data step of the migration: users already linked to Google with their current address are
// verified, everyone else is not. Needs PostgreSQL (SQLite follows the entities instead).
(postgresUrl ? describe : describe.skip)('migration UsersEmailVerified1764300001000', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestPostgresDatabase(postgresUrl as string, 'email_verified');
    const before = AUTH_MIGRATIONS.slice(
      0,
      AUTH_MIGRATIONS.indexOf(UsersEmailVerified1764300001000),
    );
    dataSource = await new DataSource({
      type: 'postgres',
      url: database.url,
      migrations: before,
    }).initialize();
    await dataSource.runMigrations();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('verifies the users linked to Google with their current address, and nobody else', async () => {
    const user = (id: string, email: string, password: string | null) =>
      dataSource.query(
        `INSERT INTO "users" ("id", "email", "name", "password_hash", "roles", "disabled", "created_at", "updated_at") VALUES ($1, $2, NULL, $3, 'user', false, 0, 0)`,
        [id, email, password],
      );
    const link = (id: string, userId: string, email: string) =>
      dataSource.query(
        `INSERT INTO "user_identities" ("id", "provider", "subject", "user_id", "email", "created_at") VALUES ($1, 'google', $1, $2, $3, 0)`,
        [id, userId, email],
      );
    await user('u-google', 'google@example.test', null);
    await link('i-1', 'u-google', 'google@example.test');
    await user('u-moved', 'new@example.test', 'hash');
    await link('i-2', 'u-moved', 'old@example.test');
    await user('u-password', 'password@example.test', 'hash');

    const runner = dataSource.createQueryRunner();
    try {
      await new UsersEmailVerified1764300001000().up(runner);
    } finally {
      await runner.release();
    }

    const rows = (await dataSource.query(
      `SELECT "id", "email_verified" FROM "users" ORDER BY "id"`,
    )) as { id: string; email_verified: boolean }[];
    expect(rows).toEqual([
      { id: 'u-google', email_verified: true },
      { id: 'u-moved', email_verified: false },
      { id: 'u-password', email_verified: false },
    ]);
  });
});
