import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The documents table (see DocumentEntity); names match the entity so no schema diff remains. */
export class CreateDocuments1764288000000 implements MigrationInterface {
  name = 'CreateDocuments1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "documents" (
        "id" character varying(36) NOT NULL,
        "owner_id" character varying(255) NOT NULL,
        "title" character varying(200) NOT NULL,
        "body" text NOT NULL,
        "created_at" bigint NOT NULL,
        "updated_at" bigint NOT NULL,
        CONSTRAINT "PK_documents" PRIMARY KEY ("id")
      )`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_documents_owner_id" ON "documents" ("owner_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_documents_owner_id"`);
    await queryRunner.query(`DROP TABLE "documents"`);
  }
}
