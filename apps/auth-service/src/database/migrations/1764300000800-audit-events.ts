import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `audit_events` table (see `audit/audit-event.entity.ts`): the append-only security audit
 * trail, read newest first and filtered by type, actor and subject.
 */
export class AuditEvents1764300000800 implements MigrationInterface {
  name = 'AuditEvents1764300000800';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" character varying(36) NOT NULL, "at" bigint NOT NULL, "type" character varying(64) NOT NULL, "outcome" character varying(16) NOT NULL, "actor_id" character varying(128), "actor_type" character varying(16), "subject_id" character varying(128), "ip" character varying(64), "user_agent" character varying(256), "details" text, CONSTRAINT "pk_audit_events" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_audit_events_at" ON "audit_events" ("at")`);
    await queryRunner.query(`CREATE INDEX "idx_audit_events_type" ON "audit_events" ("type")`);
    await queryRunner.query(`CREATE INDEX "idx_audit_events_actor" ON "audit_events" ("actor_id")`);
    await queryRunner.query(
      `CREATE INDEX "idx_audit_events_subject" ON "audit_events" ("subject_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_audit_events_subject"`);
    await queryRunner.query(`DROP INDEX "idx_audit_events_actor"`);
    await queryRunner.query(`DROP INDEX "idx_audit_events_type"`);
    await queryRunner.query(`DROP INDEX "idx_audit_events_at"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
  }
}
