import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RefreshTokens1764300000300 implements MigrationInterface {
  name = 'RefreshTokens1764300000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "refresh_families" ("id" character varying(36) NOT NULL, "user_id" character varying(64) NOT NULL, "client_id" character varying(128), "scope" character varying(1024) NOT NULL DEFAULT '', "created_at" bigint NOT NULL, "revoked_at" bigint, "revoke_reason" character varying(32), CONSTRAINT "PK_refresh_families" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_refresh_families_user" ON "refresh_families" ("user_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "refresh_tokens" ("id" character varying(36) NOT NULL, "family_id" character varying(36) NOT NULL, "token_hash" character varying(64) NOT NULL, "parent_id" character varying(36), "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "rotated_at" bigint, "successor_id" character varying(36), "successor_sealed" character varying(256), CONSTRAINT "PK_refresh_tokens" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_refresh_tokens_hash" ON "refresh_tokens" ("token_hash")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_refresh_tokens_family" ON "refresh_tokens" ("family_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP TABLE "refresh_families"`);
  }
}
