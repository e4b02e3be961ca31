import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refresh tokens name their rows (`tokens/refresh-token-format.ts`): a new token's SHA-256 goes to
 * `token_digest` and the row is found by its primary key. The unique index of every token's hash
 * becomes a partial one over the tokens of the older form (`token_hash` set), which stay valid
 * until they expire, and no longer grows: at millions of rows, each refresh inserted a hash on a
 * random page of that index, which PostgreSQL logs whole after each checkpoint.
 */
export class RefreshTokensNameRows1764300010000 implements MigrationInterface {
  name = 'RefreshTokensNameRows1764300010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" ADD "token_digest" character varying(64)`,
    );
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ALTER COLUMN "token_hash" DROP NOT NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_refresh_tokens_hash_only" ON "refresh_tokens" ("token_hash") WHERE "token_hash" IS NOT NULL`,
    );
    await queryRunner.query(`DROP INDEX "uq_refresh_tokens_hash"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Tokens that name their rows have no hash of the older form: they end with the downgrade.
    await queryRunner.query(`DELETE FROM "refresh_tokens" WHERE "token_hash" IS NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_refresh_tokens_hash" ON "refresh_tokens" ("token_hash")`,
    );
    await queryRunner.query(`DROP INDEX "uq_refresh_tokens_hash_only"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" ALTER COLUMN "token_hash" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP COLUMN "token_digest"`);
  }
}
