import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `users.email_verified` (see `users/user.entity.ts`), false for everyone except the users whose
 * current address is the one a Google account, verified by Google, was linked with.
 */
export class UsersEmailVerified1764300001000 implements MigrationInterface {
  name = 'UsersEmailVerified1764300001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "users" ADD "email_verified" boolean NOT NULL DEFAULT false`,
    );
    await queryRunner.query(
      `UPDATE "users" SET "email_verified" = true WHERE EXISTS (SELECT 1 FROM "user_identities" WHERE "user_identities"."user_id" = "users"."id" AND "user_identities"."provider" = 'google' AND "user_identities"."email" = "users"."email")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email_verified"`);
  }
}
