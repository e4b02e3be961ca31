import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `mail_outbox` table (see `mail/mail-message.entity.ts`): messages waiting to be sent, found
 * by status and due time by the outbox worker.
 */
export class MailOutbox1764300002000 implements MigrationInterface {
  name = 'MailOutbox1764300002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "mail_outbox" ("id" character varying(36) NOT NULL, "to_address" character varying(254) NOT NULL, "subject" character varying(200) NOT NULL, "text_body" text NOT NULL, "html_body" text NOT NULL, "status" character varying(16) NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" bigint NOT NULL, "last_error" character varying(500), "created_at" bigint NOT NULL, "settled_at" bigint, CONSTRAINT "pk_mail_outbox" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_mail_outbox_due" ON "mail_outbox" ("status", "next_attempt_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_mail_outbox_due"`);
    await queryRunner.query(`DROP TABLE "mail_outbox"`);
  }
}
