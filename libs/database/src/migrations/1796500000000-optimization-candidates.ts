import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evaluation results gain `details` (metric diagnostics, kept out of parsed_output) and the
 * `render_error` status; optimizations gain `progress`; optimizer lineage moves to
 * `optimization_candidates` (parent ids, operator, scores per split, status).
 */
export class OptimizationCandidates1796500000000 implements MigrationInterface {
  name = 'OptimizationCandidates1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "evaluation_results" ADD "details" jsonb`);
    await queryRunner.query(
      `ALTER TABLE "evaluation_results" DROP CONSTRAINT "ck_evaluation_results_status"`,
    );
    await queryRunner.query(
      `ALTER TABLE "evaluation_results" ADD CONSTRAINT "ck_evaluation_results_status" CHECK (status IN ('ok', 'infra_error', 'parse_error', 'timeout', 'render_error'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "optimizations" ADD "progress" double precision NOT NULL DEFAULT 0`,
    );
    await queryRunner.query(`DROP TABLE "optimization_iterations"`);
    await queryRunner.query(
      `CREATE TABLE "optimization_candidates" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "optimization_id" bigint NOT NULL, "candidate_id" integer NOT NULL, "parent_ids" jsonb NOT NULL, "operator" text NOT NULL, "iteration" integer NOT NULL, "candidate" jsonb NOT NULL, "scores" jsonb NOT NULL, "status" text NOT NULL, "note" text, "tokens" integer NOT NULL, "cost" numeric(18,8) NOT NULL, CONSTRAINT "UQ_optimization_candidates_uuid" UNIQUE ("uuid"), CONSTRAINT "uq_optimization_candidates_candidate" UNIQUE ("optimization_id", "candidate_id"), CONSTRAINT "ck_optimization_candidates_status" CHECK (status IN ('scored', 'accepted', 'rejected', 'pruned', 'finalist', 'winner')), CONSTRAINT "PK_optimization_candidates" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "optimization_candidates" ADD CONSTRAINT "FK_4deae79c423d1d46dbd048e07de" FOREIGN KEY ("optimization_id") REFERENCES "optimizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "optimization_candidates"`);
    await queryRunner.query(
      `CREATE TABLE "optimization_iterations" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "optimization_id" bigint NOT NULL, "iteration" integer NOT NULL, "parent_iteration" integer, "candidate" jsonb NOT NULL, "scores" jsonb NOT NULL, "tokens" integer NOT NULL, "cost" numeric(18,8) NOT NULL, "note" text, CONSTRAINT "UQ_e477dcbfbf7af850e9b11a72e6a" UNIQUE ("uuid"), CONSTRAINT "uq_optimization_iterations_iteration" UNIQUE ("optimization_id", "iteration"), CONSTRAINT "PK_ddd4b96259213e81035f668b06b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "optimization_iterations" ADD CONSTRAINT "FK_c921c0cf65ecf78518d0b0ccc23" FOREIGN KEY ("optimization_id") REFERENCES "optimizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`ALTER TABLE "optimizations" DROP COLUMN "progress"`);
    await queryRunner.query(
      `ALTER TABLE "evaluation_results" DROP CONSTRAINT "ck_evaluation_results_status"`,
    );
    await queryRunner.query(
      `ALTER TABLE "evaluation_results" ADD CONSTRAINT "ck_evaluation_results_status" CHECK (status IN ('ok', 'infra_error', 'parse_error', 'timeout'))`,
    );
    await queryRunner.query(`ALTER TABLE "evaluation_results" DROP COLUMN "details"`);
  }
}
