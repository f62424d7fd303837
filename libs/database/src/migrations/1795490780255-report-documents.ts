import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ReportDocuments1795490780255 implements MigrationInterface {
  name = 'ReportDocuments1795490780255';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "report_documents" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "evaluation_id" bigint NOT NULL, "compare_to" bigint, "format" text NOT NULL, "content_type" text NOT NULL, "filename" text NOT NULL, "body" bytea NOT NULL, CONSTRAINT "UQ_7f3ed6f5659b68f1fa50f20fbc3" UNIQUE ("uuid"), CONSTRAINT "PK_666ea76359b368a9200e0942b77" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_report_documents_evaluation" ON "report_documents"  ("evaluation_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "report_documents" ADD CONSTRAINT "FK_41763d977d24b075a6f3fc5928e" FOREIGN KEY ("evaluation_id") REFERENCES "evaluations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "report_documents" DROP CONSTRAINT "FK_41763d977d24b075a6f3fc5928e"`,
    );
    await queryRunner.query(`DROP INDEX "public"."ix_report_documents_evaluation"`);
    await queryRunner.query(`DROP TABLE "report_documents"`);
  }
}
