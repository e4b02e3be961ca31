import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The `revocation_events` log (see `revocation/revocation-event.entity.ts`). */
export class RevocationEvents1764300003000 implements MigrationInterface {
  name = 'RevocationEvents1764300003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "revocation_events" ("id" SERIAL NOT NULL, "kind" character varying(16) NOT NULL, "subject" character varying(200) NOT NULL, "at" bigint NOT NULL, "expires_at" bigint NOT NULL, CONSTRAINT "pk_revocation_events" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_revocation_events_expires" ON "revocation_events" ("expires_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_revocation_events_expires"`);
    await queryRunner.query(`DROP TABLE "revocation_events"`);
  }
}
