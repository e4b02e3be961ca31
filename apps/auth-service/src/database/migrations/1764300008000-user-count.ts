import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The number of users, kept by the database itself: `GET /admin/users`'s `total` without a filter
 * counted a million users on every first page (`COUNT(*)`, 250–600 ms in `npm run bench:scale`).
 * One row in `user_count`, moved by statement-level triggers on `users` (insert and delete by the
 * size of their transition tables, so a bulk `INSERT … SELECT` adds its rows at once; truncate to
 * zero), in the writing transaction: the count is exact for every reader, and concurrent
 * registrations queue on that row only until their commit. It starts at the table's count, taken
 * under a lock that holds off writes until the triggers exist.
 */
export class UserCount1764300008000 implements MigrationInterface {
  name = 'UserCount1764300008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`LOCK TABLE "users" IN SHARE MODE`);
    await queryRunner.query(
      `CREATE TABLE "user_count" ("id" smallint PRIMARY KEY CHECK ("id" = 1), "n" bigint NOT NULL)`,
    );
    await queryRunner.query(`INSERT INTO "user_count" ("id", "n") SELECT 1, count(*) FROM "users"`);
    await queryRunner.query(`CREATE FUNCTION "keycard_user_count"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE "user_count" SET "n" = "n" + (SELECT count(*) FROM "added") WHERE "id" = 1;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE "user_count" SET "n" = "n" - (SELECT count(*) FROM "removed") WHERE "id" = 1;
  ELSE
    UPDATE "user_count" SET "n" = 0 WHERE "id" = 1;
  END IF;
  RETURN NULL;
END
$$`);
    await queryRunner.query(`CREATE TRIGGER "users_count_insert" AFTER INSERT ON "users"
REFERENCING NEW TABLE AS "added" FOR EACH STATEMENT EXECUTE FUNCTION "keycard_user_count"()`);
    await queryRunner.query(`CREATE TRIGGER "users_count_delete" AFTER DELETE ON "users"
REFERENCING OLD TABLE AS "removed" FOR EACH STATEMENT EXECUTE FUNCTION "keycard_user_count"()`);
    await queryRunner.query(`CREATE TRIGGER "users_count_truncate" AFTER TRUNCATE ON "users"
FOR EACH STATEMENT EXECUTE FUNCTION "keycard_user_count"()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "users_count_truncate" ON "users"`);
    await queryRunner.query(`DROP TRIGGER "users_count_delete" ON "users"`);
    await queryRunner.query(`DROP TRIGGER "users_count_insert" ON "users"`);
    await queryRunner.query(`DROP FUNCTION "keycard_user_count"()`);
    await queryRunner.query(`DROP TABLE "user_count"`);
  }
}
