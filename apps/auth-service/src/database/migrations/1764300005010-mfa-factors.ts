import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Second factors (see `mfa/mfa-factor.entity.ts`: TOTP authenticators and passkeys) and the
 * hashes of recovery codes (`mfa/recovery-code.entity.ts`).
 */
export class MfaFactors1764300005010 implements MigrationInterface {
  name = 'MfaFactors1764300005010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "mfa_factors" ("id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "kind" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, "name" character varying(100) NOT NULL, "secret_sealed" character varying(255), "last_used_step" bigint, "credential_id" character varying(1024), "public_key" text, "sign_count" bigint NOT NULL DEFAULT 0, "transports" character varying(128) NOT NULL DEFAULT '', "created_at" bigint NOT NULL, "last_used_at" bigint, CONSTRAINT "pk_mfa_factors" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_mfa_factors_user" ON "mfa_factors" ("user_id")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_mfa_factors_credential" ON "mfa_factors" ("credential_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "mfa_recovery_codes" ("id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "code_hash" character varying(64) NOT NULL, "created_at" bigint NOT NULL, "used_at" bigint, CONSTRAINT "pk_mfa_recovery_codes" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_mfa_recovery_codes_user" ON "mfa_recovery_codes" ("user_id", "code_hash")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_mfa_recovery_codes_user"`);
    await queryRunner.query(`DROP TABLE "mfa_recovery_codes"`);
    await queryRunner.query(`DROP INDEX "uq_mfa_factors_credential"`);
    await queryRunner.query(`DROP INDEX "idx_mfa_factors_user"`);
    await queryRunner.query(`DROP TABLE "mfa_factors"`);
  }
}
