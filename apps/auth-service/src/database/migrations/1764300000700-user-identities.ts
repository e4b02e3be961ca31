import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign in with Google (see `google/`): `user_identities` links a provider account (provider,
 * subject) to a user; `google_grants` holds the short-lived, single-use sign-in transactions and
 * SPA hand-off codes, by the hash of their random key.
 */
export class UserIdentities1764300000700 implements MigrationInterface {
  name = 'UserIdentities1764300000700';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "user_identities" ("id" character varying(36) NOT NULL, "provider" character varying(32) NOT NULL, "subject" character varying(255) NOT NULL, "user_id" character varying(36) NOT NULL, "email" character varying(254) NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "pk_user_identities" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_user_identities_provider_subject" ON "user_identities" ("provider", "subject")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_user_identities_user" ON "user_identities" ("user_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "google_grants" ("key_hash" character varying(64) NOT NULL, "kind" character varying(16) NOT NULL, "payload" text NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, CONSTRAINT "pk_google_grants" PRIMARY KEY ("key_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_google_grants_expires_at" ON "google_grants" ("expires_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_google_grants_expires_at"`);
    await queryRunner.query(`DROP TABLE "google_grants"`);
    await queryRunner.query(`DROP INDEX "idx_user_identities_user"`);
    await queryRunner.query(`DROP INDEX "uq_user_identities_provider_subject"`);
    await queryRunner.query(`DROP TABLE "user_identities"`);
  }
}
