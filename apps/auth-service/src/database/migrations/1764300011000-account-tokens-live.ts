import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issuing a mailed link voids the user's older unused links of its purpose (`UPDATE … WHERE
 * user_id = … AND purpose = … AND used_at IS NULL`). On the index of `(user_id, purpose)` that
 * statement read every link the user was ever sent of that purpose, used or voided, until the
 * retention job deleted them: `npm run bench`'s forgot scenario (one address, the per-address limit
 * lifted) slowed through its run as 13,000 links piled up, and on SQLite the void took 915 µs with
 * 13,000 older links against 7 µs on an index with `used_at`, which reads the live links only (one
 * at most). The new index replaces the old one, its prefix.
 *
 * Plain `CREATE INDEX` (migrations run in a transaction): it blocks link writes for as long as it
 * takes to index the table, which the retention job keeps to a few hours of links.
 */
export class AccountTokensLive1764300011000 implements MigrationInterface {
  name = 'AccountTokensLive1764300011000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_account_tokens_user_used" ON "account_tokens" ("user_id", "purpose", "used_at")`,
    );
    await queryRunner.query(`DROP INDEX "ix_account_tokens_user"`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "ix_account_tokens_user" ON "account_tokens" ("user_id", "purpose")`,
    );
    await queryRunner.query(`DROP INDEX "ix_account_tokens_user_used"`);
  }
}
