import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * App clients (API.md section 5) on `oauth_clients` (see `clients/oauth-client.entity.ts`): the
 * type (existing rows are `service` clients), redirect and logout URIs, first-party flag and
 * back-channel logout URI.
 */
export class OAuthClientApps1764300004000 implements MigrationInterface {
  name = 'OAuthClientApps1764300004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const columns = [
      `"type" character varying(16) NOT NULL DEFAULT 'service'`,
      `"redirect_uris" text NOT NULL DEFAULT '[]'`,
      `"post_logout_redirect_uris" text NOT NULL DEFAULT '[]'`,
      `"first_party" boolean NOT NULL DEFAULT false`,
      `"backchannel_logout_uri" character varying(2048)`,
    ];
    for (const column of columns) {
      await queryRunner.query(`ALTER TABLE "oauth_clients" ADD ${column}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of [
      'backchannel_logout_uri',
      'first_party',
      'post_logout_redirect_uris',
      'redirect_uris',
      'type',
    ]) {
      await queryRunner.query(`ALTER TABLE "oauth_clients" DROP COLUMN "${column}"`);
    }
  }
}
