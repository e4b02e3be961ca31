import type { DataSource } from 'typeorm';
import { describeOnPostgres } from '@keycard/testing';
import type { OpenDatabase } from '../testing/database-backends';
import { migratedUpTo } from '../testing/database-backends';
import { UsersEmailVerified1764300001000 } from './migrations/1764300001000-users-email-verified';

// The data step of the migration: users already linked to Google with their current address are
// verified, everyone else is not. Needs PostgreSQL (SQLite follows the entities instead).
describeOnPostgres('migration UsersEmailVerified1764300001000', (serverUrl) => {
  let database: OpenDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await migratedUpTo(serverUrl, UsersEmailVerified1764300001000, 'email_verified');
    dataSource = database.dataSource;
  });

  afterAll(() => database?.close());

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
