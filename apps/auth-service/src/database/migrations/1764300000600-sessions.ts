import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `sessions` table (see `sessions/session.entity.ts`): browser sessions of the embedded
 * store, found by the unique hash of the cookie value and listed per user.
 */
export class Sessions1764300000600 implements MigrationInterface {
  name = 'Sessions1764300000600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" character varying(36) NOT NULL, "token_hash" character varying(64) NOT NULL, "user_id" character varying(36) NOT NULL, "created_at" bigint NOT NULL, "last_seen_at" bigint NOT NULL, "idle_expires_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "user_agent" character varying(256) NOT NULL, "ip" character varying(64) NOT NULL, "csrf_token" character varying(64) NOT NULL, CONSTRAINT "pk_sessions" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_sessions_token_hash" ON "sessions" ("token_hash")`,
    );
    await queryRunner.query(`CREATE INDEX "idx_sessions_user" ON "sessions" ("user_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_sessions_user"`);
    await queryRunner.query(`DROP INDEX "uq_sessions_token_hash"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
  }
}
