import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `account_tokens` table (see `account/account-token.entity.ts`): hashes of the one-time
 * links mailed for address verification, password reset and e-mail change.
 */
export class AccountTokens1764300002010 implements MigrationInterface {
  name = 'AccountTokens1764300002010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "account_tokens" ("id" character varying(36) NOT NULL, "token_hash" character varying(64) NOT NULL, "user_id" character varying(36) NOT NULL, "purpose" character varying(20) NOT NULL, "email" character varying(254) NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "used_at" bigint, CONSTRAINT "pk_account_tokens" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_account_tokens_hash" ON "account_tokens" ("token_hash")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_account_tokens_user" ON "account_tokens" ("user_id", "purpose")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_account_tokens_user"`);
    await queryRunner.query(`DROP INDEX "uq_account_tokens_hash"`);
    await queryRunner.query(`DROP TABLE "account_tokens"`);
  }
}
