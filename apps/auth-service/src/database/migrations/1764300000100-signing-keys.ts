import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `signing_keys` table (see `keys/signing-key.entity.ts`). The two partial unique indexes allow
 * at most one `active` and one `next` key, which is what settles racing instances.
 */
export class SigningKeys1764300000100 implements MigrationInterface {
  name = 'SigningKeys1764300000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "signing_keys" ("kid" character varying(64) NOT NULL, "status" character varying(16) NOT NULL, "public_jwk" text NOT NULL, "private_key" text NOT NULL, "created_at" bigint NOT NULL, "published_at" bigint NOT NULL, "activated_at" bigint, "retired_at" bigint, "verify_until" bigint, "revoked_at" bigint, CONSTRAINT "ck_signing_keys_status" CHECK (status IN ('next', 'active', 'retiring', 'revoked')), CONSTRAINT "pk_signing_keys" PRIMARY KEY ("kid"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_signing_keys_one_active" ON "signing_keys" ("status") WHERE status = 'active'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_signing_keys_one_next" ON "signing_keys" ("status") WHERE status = 'next'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "uq_signing_keys_one_next"`);
    await queryRunner.query(`DROP INDEX "uq_signing_keys_one_active"`);
    await queryRunner.query(`DROP TABLE "signing_keys"`);
  }
}
