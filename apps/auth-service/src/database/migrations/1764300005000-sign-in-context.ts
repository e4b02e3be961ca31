import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `amr` and `auth_time` of the sign-in behind each refresh family and browser session (see
 * `auth-context/sign-in-context.ts`), so refreshed tokens keep the values of the original sign-in. Rows
 * from before have none: `auth_time` then falls back to their `created_at`. And `users.mfa_methods`,
 * the second factors a password sign-in must ask for.
 */
export class SignInContext1764300005000 implements MigrationInterface {
  name = 'SignInContext1764300005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['refresh_families', 'sessions']) {
      await queryRunner.query(
        `ALTER TABLE "${table}" ADD "amr" character varying(64) NOT NULL DEFAULT ''`,
      );
      await queryRunner.query(`ALTER TABLE "${table}" ADD "auth_time" bigint`);
    }
    await queryRunner.query(
      `ALTER TABLE "users" ADD "mfa_methods" character varying(64) NOT NULL DEFAULT ''`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "mfa_methods"`);
    for (const table of ['sessions', 'refresh_families']) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "auth_time"`);
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "amr"`);
    }
  }
}
