import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the retention job (`retention/`), so that each of its batched deletes finds its
 * rows without scanning the table: refresh tokens by expiry, refresh families by revocation time
 * and sessions by idle end (which is never later than the absolute end).
 */
export class RetentionIndexes1764300001200 implements MigrationInterface {
  name = 'RetentionIndexes1764300001200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "idx_refresh_tokens_expires_at" ON "refresh_tokens" ("expires_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_refresh_families_revoked_at" ON "refresh_families" ("revoked_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sessions_idle_expires_at" ON "sessions" ("idle_expires_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_sessions_idle_expires_at"`);
    await queryRunner.query(`DROP INDEX "idx_refresh_families_revoked_at"`);
    await queryRunner.query(`DROP INDEX "idx_refresh_tokens_expires_at"`);
  }
}
