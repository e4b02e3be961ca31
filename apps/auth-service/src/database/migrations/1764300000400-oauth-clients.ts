import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The `oauth_clients` table (see `clients/oauth-client.entity.ts`): service clients, secrets stored as SHA-256 hex. */
export class OAuthClients1764300000400 implements MigrationInterface {
  name = 'OAuthClients1764300000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "oauth_clients" ("client_id" character varying(128) NOT NULL, "name" character varying(100) NOT NULL, "secret_hash" character varying(64) NOT NULL, "scopes" text NOT NULL, "created_at" bigint NOT NULL, "revoked_at" bigint, CONSTRAINT "pk_oauth_clients" PRIMARY KEY ("client_id"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "oauth_clients"`);
  }
}
