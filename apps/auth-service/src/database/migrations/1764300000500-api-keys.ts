import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `api_keys` and `api_key_usage` tables (see `api-keys/api-key.entity.ts` and
 * `api-keys/api-key-usage.entity.ts`). Keys are found by the unique `key_hash` index; usage is one
 * row per key and UTC day, added to by `INSERT … ON CONFLICT ("key_id", "day")` on the primary key.
 */
export class ApiKeys1764300000500 implements MigrationInterface {
  name = 'ApiKeys1764300000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "name" character varying(100) NOT NULL, "type" character varying(8) NOT NULL, "environment" character varying(8) NOT NULL, "prefix" character varying(16) NOT NULL, "key_hash" character varying(64) NOT NULL, "scopes" text NOT NULL, "rate_limit" integer, "created_at" bigint NOT NULL, "expires_at" bigint, "revoked_at" bigint, "last_used_at" bigint, "replaced_by" character varying(36), CONSTRAINT "pk_api_keys" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_hash" ON "api_keys" ("key_hash")`);
    await queryRunner.query(`CREATE INDEX "idx_api_keys_user" ON "api_keys" ("user_id")`);
    await queryRunner.query(
      `CREATE TABLE "api_key_usage" ("key_id" character varying(36) NOT NULL, "day" character varying(10) NOT NULL, "count" integer NOT NULL, CONSTRAINT "pk_api_key_usage" PRIMARY KEY ("key_id", "day"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "api_key_usage"`);
    await queryRunner.query(`DROP INDEX "idx_api_keys_user"`);
    await queryRunner.query(`DROP INDEX "uq_api_keys_hash"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}
