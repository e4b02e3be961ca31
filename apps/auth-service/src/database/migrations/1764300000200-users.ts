import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The `users` table (see `users/user.entity.ts`); emails are stored lowercased, hence a plain unique index. */
export class Users1764300000200 implements MigrationInterface {
  name = 'Users1764300000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "users" ("id" character varying(36) NOT NULL, "email" character varying(254) NOT NULL, "name" character varying(100), "password_hash" character varying(255), "roles" text NOT NULL, "disabled" boolean NOT NULL DEFAULT false, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "pk_users" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_users_email" ON "users" ("email")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_users_email"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
