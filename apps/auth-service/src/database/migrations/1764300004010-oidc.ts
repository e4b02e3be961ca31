import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The OpenID Provider's tables (see `oidc/oidc.entities.ts`): codes, consents, pending requests, app logins. */
export class Oidc1764300004010 implements MigrationInterface {
  name = 'Oidc1764300004010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "oidc_codes" ("code_hash" character varying(64) NOT NULL, "client_id" character varying(128) NOT NULL, "user_id" character varying(36) NOT NULL, "session_id" character varying(36) NOT NULL, "redirect_uri" character varying(2048) NOT NULL, "code_challenge" character varying(64) NOT NULL, "scope" character varying(1024) NOT NULL, "nonce" character varying(512), "auth_time" bigint NOT NULL, "amr" text NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "redeemed_at" bigint, "family_id" character varying(36), "replayed_at" bigint, CONSTRAINT "pk_oidc_codes" PRIMARY KEY ("code_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_oidc_codes_expires_at" ON "oidc_codes" ("expires_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "oidc_consents" ("user_id" character varying(36) NOT NULL, "client_id" character varying(128) NOT NULL, "scope" character varying(1024) NOT NULL, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "pk_oidc_consents" PRIMARY KEY ("user_id", "client_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_oidc_consents_client" ON "oidc_consents" ("client_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "oidc_pending_requests" ("handle_hash" character varying(64) NOT NULL, "request" text NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL, CONSTRAINT "pk_oidc_pending_requests" PRIMARY KEY ("handle_hash"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_oidc_pending_expires_at" ON "oidc_pending_requests" ("expires_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "oidc_app_logins" ("family_id" character varying(36) NOT NULL, "session_id" character varying(36) NOT NULL, "client_id" character varying(128) NOT NULL, "user_id" character varying(36) NOT NULL, "created_at" bigint NOT NULL, "ended_at" bigint, CONSTRAINT "pk_oidc_app_logins" PRIMARY KEY ("family_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_oidc_app_logins_session" ON "oidc_app_logins" ("session_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_oidc_app_logins_user_client" ON "oidc_app_logins" ("user_id", "client_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'oidc_app_logins',
      'oidc_pending_requests',
      'oidc_consents',
      'oidc_codes',
    ]) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
  }
}
