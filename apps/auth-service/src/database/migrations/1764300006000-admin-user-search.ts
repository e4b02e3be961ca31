import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for `GET /admin/users` (`users/user-search.ts`) so that it stays fast at a million users:
 * - `(created_at, id)`: the list's order, so a keyset page reads only its own rows;
 * - `email varchar_pattern_ops`: `email LIKE 'prefix%'` under any collation (the unique index
 *   answers it only under the C collation);
 * - trigram GIN indexes on `email` and `lower(name)` for `q` (`LIKE '%text%'`), when the
 *   `pg_trgm` extension can be created (it ships with PostgreSQL's contrib and is trusted, so a
 *   database owner may create it). Where it cannot, the migration still succeeds and `q` scans.
 *
 * Plain `CREATE INDEX` (migrations run in a transaction, where `CONCURRENTLY` is not allowed): it
 * blocks writes to `users` for a few seconds per million rows, once.
 */
export class AdminUserSearch1764300006000 implements MigrationInterface {
  name = 'AdminUserSearch1764300006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "idx_users_created_at_id" ON "users" ("created_at", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_users_email_pattern" ON "users" ("email" varchar_pattern_ops)`,
    );
    // A failed CREATE EXTENSION would abort the migration's transaction; the block's handler
    // rolls back only its own subtransaction.
    await queryRunner.query(`DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm unavailable (%): GET /admin/users?q= will scan users', SQLERRM;
END
$$`);
    // The operator class is named with the extension's schema, wherever it was installed.
    await queryRunner.query(`DO $$
DECLARE trgm text;
BEGIN
  SELECT quote_ident(n.nspname) INTO trgm
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
  IF trgm IS NOT NULL THEN
    EXECUTE format('CREATE INDEX "idx_users_email_trgm" ON "users" USING gin ("email" %s.gin_trgm_ops)', trgm);
    EXECUTE format('CREATE INDEX "idx_users_name_trgm" ON "users" USING gin ((lower("name")) %s.gin_trgm_ops)', trgm);
  END IF;
END
$$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The extension stays: other schemas or tables may use it.
    await queryRunner.query(`DROP INDEX IF EXISTS "idx_users_name_trgm"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "idx_users_email_trgm"`);
    await queryRunner.query(`DROP INDEX "idx_users_email_pattern"`);
    await queryRunner.query(`DROP INDEX "idx_users_created_at_id"`);
  }
}
