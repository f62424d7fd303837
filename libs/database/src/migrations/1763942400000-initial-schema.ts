import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole domain model of DESIGN.md §3. Generated from the entities by the schema builder, then
 * reviewed by hand: the partial, case-insensitive unique indexes on names and the GIN index on
 * test-case tags are written here because entity decorators cannot express them (the entities
 * mark them `synchronize: false`). uuids use the built-in gen_random_uuid(), so no extension is
 * needed and the same file runs on PostgreSQL and PGlite.
 */
export class InitialSchema1763942400000 implements MigrationInterface {
  name = 'InitialSchema1763942400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "users" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "email" text, "display_name" text NOT NULL, "external_subject" text, "disabled_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_951b8f1dfc94ac1d0301a14b7e1" UNIQUE ("uuid"), CONSTRAINT "UQ_5d9d6030df81a537a44d35df39c" UNIQUE ("external_subject"), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "workspaces" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "name" text NOT NULL, "slug" text NOT NULL, CONSTRAINT "UQ_1573e99c1bfd2ae16c9a6b0aee0" UNIQUE ("uuid"), CONSTRAINT "UQ_b8e9fe62e93d60089dfc4f175f3" UNIQUE ("slug"), CONSTRAINT "PK_098656ae401f3e1a4586f47fd8e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "workspace_id" bigint NOT NULL, "user_id" bigint NOT NULL, "name" text NOT NULL, "prefix" text NOT NULL, "hash" text NOT NULL, "scopes" text array NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_7caad710392a404f52adf8707b7" UNIQUE ("uuid"), CONSTRAINT "UQ_6f6105c8efe05b310d046cbdb3d" UNIQUE ("prefix"), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_api_keys_user" ON "api_keys"  ("user_id")`);
    await queryRunner.query(`CREATE INDEX "ix_api_keys_workspace" ON "api_keys"  ("workspace_id")`);
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "workspace_id" bigint, "actor_user_id" bigint, "actor_api_key_id" bigint, "action" text NOT NULL, "entity_type" text NOT NULL, "entity_id" bigint, "request_id" text, "details" jsonb NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_audit_events_workspace_at" ON "audit_events"  ("workspace_id", "at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "projects" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "workspace_id" bigint NOT NULL, "name" text NOT NULL, "description" text, "status" text NOT NULL, "tags" text array NOT NULL, "metadata" jsonb NOT NULL, "config" jsonb NOT NULL, "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_fc9f1e64d4626f18beff534a9f3" UNIQUE ("uuid"), CONSTRAINT "ck_projects_status" CHECK (status IN ('draft', 'active', 'archived')), CONSTRAINT "PK_6271df0a7aed1d6c0691ce6ac50" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_projects_workspace_created" ON "projects"  ("workspace_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "signatures" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "project_id" bigint NOT NULL, "name" text NOT NULL, "instruction" text, "input_schema" jsonb NOT NULL, "output_schema" jsonb NOT NULL, "constraints" jsonb NOT NULL, "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_bdfcff9bd7b78cdb06d83762dcf" UNIQUE ("uuid"), CONSTRAINT "PK_f56eb3cd344ce7f9ae28ce814eb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_signatures_project" ON "signatures"  ("project_id")`);
    await queryRunner.query(
      `CREATE TABLE "prompts" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "project_id" bigint NOT NULL, "name" text NOT NULL, "description" text, "signature_id" bigint, "current_version_id" bigint, "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_639b1489a250684038f90fa9453" UNIQUE ("uuid"), CONSTRAINT "PK_21f33798862975179e40b216a1d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_prompts_project" ON "prompts"  ("project_id")`);
    await queryRunner.query(
      `CREATE TABLE "optimizations" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "project_id" bigint NOT NULL, "prompt_id" bigint NOT NULL, "initial_version_id" bigint NOT NULL, "optimized_version_id" bigint, "strategy" text NOT NULL, "config" jsonb NOT NULL, "status" text NOT NULL, "baseline_train_score" double precision, "baseline_validation_score" double precision, "final_train_score" double precision, "final_validation_score" double precision, "improvement" double precision, "iterations_completed" integer NOT NULL, "max_iterations" integer, "total_tokens" bigint NOT NULL, "total_cost" numeric(18,8) NOT NULL, "result" jsonb, "error" text, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_52b1bc95d41f9e5becfdc664519" UNIQUE ("uuid"), CONSTRAINT "ck_optimizations_status" CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')), CONSTRAINT "PK_719a23aa30842c23006adf2471b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_optimizations_prompt" ON "optimizations"  ("prompt_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_optimizations_project_created" ON "optimizations"  ("project_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "prompt_versions" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "prompt_id" bigint NOT NULL, "version_number" integer NOT NULL, "system_prompt" text, "user_prompt" text NOT NULL, "few_shot_examples" jsonb NOT NULL, "model_config" jsonb, "parent_version_id" bigint, "change_description" text, "source" text NOT NULL, "optimization_id" bigint, CONSTRAINT "UQ_1c3b94dbd60804aa4b66c8c24c2" UNIQUE ("uuid"), CONSTRAINT "uq_prompt_versions_number" UNIQUE ("prompt_id", "version_number"), CONSTRAINT "ck_prompt_versions_source" CHECK (source IN ('manual', 'revert', 'optimization')), CONSTRAINT "PK_5411972c2e9c63bd40530b80545" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "evaluations" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "project_id" bigint NOT NULL, "prompt_version_id" bigint NOT NULL, "name" text, "test_case_ids" bigint array NOT NULL, "model_config" jsonb NOT NULL, "metrics_config" jsonb NOT NULL, "status" text NOT NULL, "progress" real NOT NULL, "summary" jsonb, "total_tokens" bigint NOT NULL, "total_cost" numeric(18,8) NOT NULL, "error" text, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_af22bb9db13043edcaef11a5cf3" UNIQUE ("uuid"), CONSTRAINT "ck_evaluations_status" CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')), CONSTRAINT "PK_f683b433eba0e6dae7e19b29e29" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_evaluations_prompt_version" ON "evaluations"  ("prompt_version_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_evaluations_project_created" ON "evaluations"  ("project_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "test_cases" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "project_id" bigint NOT NULL, "signature_id" bigint, "name" text NOT NULL, "description" text, "inputs" jsonb NOT NULL, "expected_outputs" jsonb NOT NULL, "tags" text array NOT NULL, "is_golden" boolean NOT NULL, "is_generated" boolean NOT NULL, "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_727c6e67a5098e99e448109b017" UNIQUE ("uuid"), CONSTRAINT "PK_39eb2dc90c54d7a036b015f05c4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_test_cases_project" ON "test_cases"  ("project_id")`);
    await queryRunner.query(
      `CREATE TABLE "evaluation_results" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "evaluation_id" bigint NOT NULL, "test_case_id" bigint NOT NULL, "repeat_index" integer NOT NULL, "output" text, "parsed_output" jsonb, "scores" jsonb NOT NULL, "aggregate_score" double precision, "passed" boolean, "status" text NOT NULL, "error" text, "latency_ms" integer, "tokens_in" integer NOT NULL, "tokens_out" integer NOT NULL, "cost" numeric(18,8) NOT NULL, "cached" boolean NOT NULL, CONSTRAINT "UQ_4acbaf16e2d35b0d8a3741b510d" UNIQUE ("uuid"), CONSTRAINT "uq_evaluation_results_case" UNIQUE ("evaluation_id", "test_case_id", "repeat_index"), CONSTRAINT "ck_evaluation_results_status" CHECK (status IN ('ok', 'infra_error', 'parse_error', 'timeout')), CONSTRAINT "PK_c621da2265b8bed07a44a5d5fa6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_evaluation_results_test_case" ON "evaluation_results"  ("test_case_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "workspace_id" bigint NOT NULL, "user_id" bigint NOT NULL, "route" text NOT NULL, "key" text NOT NULL, "request_hash" text NOT NULL, "response_status" integer, "response_body" jsonb, "entity_id" bigint, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "uq_idempotency_keys_user_route_key" UNIQUE ("user_id", "route", "key"), CONSTRAINT "PK_8ad20779ad0411107a56e53d0f6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_idempotency_keys_expires" ON "idempotency_keys"  ("expires_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "jobs" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "workspace_id" bigint NOT NULL, "project_id" bigint, "queue" text NOT NULL, "type" text NOT NULL, "entity_type" text, "entity_id" bigint, "status" text NOT NULL, "priority" smallint NOT NULL, "attempts" integer NOT NULL, "max_attempts" integer NOT NULL, "progress" real NOT NULL, "payload" jsonb NOT NULL, "result" jsonb, "error" text, "cancel_requested" boolean NOT NULL, "lease_owner" text, "lease_expires_at" TIMESTAMP WITH TIME ZONE, "request_id" text, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_2ad99c480880ac224b7e39338ba" UNIQUE ("uuid"), CONSTRAINT "ck_jobs_priority" CHECK (priority BETWEEN 1 AND 10), CONSTRAINT "ck_jobs_status" CHECK (status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')), CONSTRAINT "PK_cf0a6c42b72fcc7f7c237def345" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_jobs_project" ON "jobs"  ("project_id")`);
    await queryRunner.query(
      `CREATE INDEX "ix_jobs_workspace_created" ON "jobs"  ("workspace_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_jobs_entity" ON "jobs"  ("entity_type", "entity_id")`,
    );
    await queryRunner.query(`CREATE INDEX "ix_jobs_status_queue" ON "jobs"  ("status", "queue")`);
    await queryRunner.query(
      `CREATE TABLE "llm_cache" ("key" character(64) NOT NULL, "provider" text NOT NULL, "model" text NOT NULL, "response" jsonb NOT NULL, "usage" jsonb NOT NULL, "hit_count" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_0128d2bd002f7fa71775d09cd70" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_llm_cache_expires" ON "llm_cache"  ("expires_at")`);
    await queryRunner.query(
      `CREATE TABLE "memberships" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "workspace_id" bigint NOT NULL, "user_id" bigint NOT NULL, "role" text NOT NULL, CONSTRAINT "UQ_80aa6d0c2543e6f169fe0ca143f" UNIQUE ("uuid"), CONSTRAINT "uq_memberships_workspace_user" UNIQUE ("workspace_id", "user_id"), CONSTRAINT "ck_memberships_role" CHECK (role IN ('owner', 'admin', 'editor', 'viewer')), CONSTRAINT "PK_25d28bd932097a9e90495ede7b4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_memberships_user" ON "memberships"  ("user_id")`);
    await queryRunner.query(
      `CREATE TABLE "optimization_iterations" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "uuid" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "optimization_id" bigint NOT NULL, "iteration" integer NOT NULL, "parent_iteration" integer, "candidate" jsonb NOT NULL, "scores" jsonb NOT NULL, "tokens" integer NOT NULL, "cost" numeric(18,8) NOT NULL, "note" text, CONSTRAINT "UQ_e477dcbfbf7af850e9b11a72e6a" UNIQUE ("uuid"), CONSTRAINT "uq_optimization_iterations_iteration" UNIQUE ("optimization_id", "iteration"), CONSTRAINT "PK_ddd4b96259213e81035f668b06b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "FK_deb68fe8625b21785d1c48283e4" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "FK_a3baee01d8408cd3c0f89a9a973" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "projects" ADD CONSTRAINT "FK_af78b8fc6857fe0a10d1bb1699e" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "signatures" ADD CONSTRAINT "FK_e0749e721a3846931787b7aa320" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "prompts" ADD CONSTRAINT "FK_447caabd60629f3c2f25c7c0bd5" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "prompts" ADD CONSTRAINT "FK_c3c6a1929369ca1c5c3e3c49d78" FOREIGN KEY ("signature_id") REFERENCES "signatures"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "prompts" ADD CONSTRAINT "FK_9c49f0489ae7ce515845ac65422" FOREIGN KEY ("current_version_id") REFERENCES "prompt_versions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "optimizations" ADD CONSTRAINT "FK_be57e458b3c10541e26e1fd3477" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "optimizations" ADD CONSTRAINT "FK_0f4c73432eba050a99c55ca25f6" FOREIGN KEY ("prompt_id") REFERENCES "prompts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "optimizations" ADD CONSTRAINT "FK_1bbdae7922c0dbc92fbff9dd1de" FOREIGN KEY ("initial_version_id") REFERENCES "prompt_versions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "optimizations" ADD CONSTRAINT "FK_3271351d3ea10b4d0a51ab1ecbf" FOREIGN KEY ("optimized_version_id") REFERENCES "prompt_versions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "prompt_versions" ADD CONSTRAINT "FK_504d9127713c34218c85bcd6ab9" FOREIGN KEY ("prompt_id") REFERENCES "prompts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "prompt_versions" ADD CONSTRAINT "FK_8b7069ffbf6a55c5f606a829760" FOREIGN KEY ("parent_version_id") REFERENCES "prompt_versions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "prompt_versions" ADD CONSTRAINT "FK_a74e3f41e52175b48c7a595d3d1" FOREIGN KEY ("optimization_id") REFERENCES "optimizations"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "evaluations" ADD CONSTRAINT "FK_1ef6dac1b07cb19f36ffece4307" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "evaluations" ADD CONSTRAINT "FK_423161f5463b971851084154140" FOREIGN KEY ("prompt_version_id") REFERENCES "prompt_versions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "test_cases" ADD CONSTRAINT "FK_61e46a843d95b96fd6e466e0059" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "test_cases" ADD CONSTRAINT "FK_0e8973aadd3dec09151030e54c3" FOREIGN KEY ("signature_id") REFERENCES "signatures"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "evaluation_results" ADD CONSTRAINT "FK_4430e307a2b26baefc825c1dfa4" FOREIGN KEY ("evaluation_id") REFERENCES "evaluations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "evaluation_results" ADD CONSTRAINT "FK_bca5e4ccfe8ab94354d74fbab23" FOREIGN KEY ("test_case_id") REFERENCES "test_cases"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "idempotency_keys" ADD CONSTRAINT "FK_d91f6cda12b1b4864125fdc42f0" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "idempotency_keys" ADD CONSTRAINT "FK_4d2181624ba2d61e76a07175198" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "jobs" ADD CONSTRAINT "FK_58f07a7fbd5d546cc8ff788ea2d" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "jobs" ADD CONSTRAINT "FK_570051510a95166a699cd7dafd5" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "FK_9b76ecf1dda18a6adec17fe71c4" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" ADD CONSTRAINT "FK_7c1e2fdfed4f6838e0c05ae5051" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "optimization_iterations" ADD CONSTRAINT "FK_c921c0cf65ecf78518d0b0ccc23" FOREIGN KEY ("optimization_id") REFERENCES "optimizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Names are unique among live rows only, compared case-insensitively: a soft-deleted project frees its name.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_projects_workspace_name" ON "projects" ("workspace_id", lower("name")) WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_signatures_project_name" ON "signatures" ("project_id", lower("name")) WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_prompts_project_name" ON "prompts" ("project_id", lower("name")) WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_test_cases_project_name" ON "test_cases" ("project_id", lower("name")) WHERE "deleted_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_users_email" ON "users" (lower("email")) WHERE "email" IS NOT NULL`,
    );
    // Tag filters on test cases use array containment.
    await queryRunner.query(`CREATE INDEX "ix_test_cases_tags" ON "test_cases" USING GIN ("tags")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_test_cases_tags"`);
    await queryRunner.query(`DROP INDEX "public"."uq_users_email"`);
    await queryRunner.query(`DROP INDEX "public"."uq_test_cases_project_name"`);
    await queryRunner.query(`DROP INDEX "public"."uq_prompts_project_name"`);
    await queryRunner.query(`DROP INDEX "public"."uq_signatures_project_name"`);
    await queryRunner.query(`DROP INDEX "public"."uq_projects_workspace_name"`);
    await queryRunner.query(
      `ALTER TABLE "optimization_iterations" DROP CONSTRAINT "FK_c921c0cf65ecf78518d0b0ccc23"`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" DROP CONSTRAINT "FK_7c1e2fdfed4f6838e0c05ae5051"`,
    );
    await queryRunner.query(
      `ALTER TABLE "memberships" DROP CONSTRAINT "FK_9b76ecf1dda18a6adec17fe71c4"`,
    );
    await queryRunner.query(`ALTER TABLE "jobs" DROP CONSTRAINT "FK_570051510a95166a699cd7dafd5"`);
    await queryRunner.query(`ALTER TABLE "jobs" DROP CONSTRAINT "FK_58f07a7fbd5d546cc8ff788ea2d"`);
    await queryRunner.query(
      `ALTER TABLE "idempotency_keys" DROP CONSTRAINT "FK_4d2181624ba2d61e76a07175198"`,
    );
    await queryRunner.query(
      `ALTER TABLE "idempotency_keys" DROP CONSTRAINT "FK_d91f6cda12b1b4864125fdc42f0"`,
    );
    await queryRunner.query(
      `ALTER TABLE "evaluation_results" DROP CONSTRAINT "FK_bca5e4ccfe8ab94354d74fbab23"`,
    );
    await queryRunner.query(
      `ALTER TABLE "evaluation_results" DROP CONSTRAINT "FK_4430e307a2b26baefc825c1dfa4"`,
    );
    await queryRunner.query(
      `ALTER TABLE "test_cases" DROP CONSTRAINT "FK_0e8973aadd3dec09151030e54c3"`,
    );
    await queryRunner.query(
      `ALTER TABLE "test_cases" DROP CONSTRAINT "FK_61e46a843d95b96fd6e466e0059"`,
    );
    await queryRunner.query(
      `ALTER TABLE "evaluations" DROP CONSTRAINT "FK_423161f5463b971851084154140"`,
    );
    await queryRunner.query(
      `ALTER TABLE "evaluations" DROP CONSTRAINT "FK_1ef6dac1b07cb19f36ffece4307"`,
    );
    await queryRunner.query(
      `ALTER TABLE "prompt_versions" DROP CONSTRAINT "FK_a74e3f41e52175b48c7a595d3d1"`,
    );
    await queryRunner.query(
      `ALTER TABLE "prompt_versions" DROP CONSTRAINT "FK_8b7069ffbf6a55c5f606a829760"`,
    );
    await queryRunner.query(
      `ALTER TABLE "prompt_versions" DROP CONSTRAINT "FK_504d9127713c34218c85bcd6ab9"`,
    );
    await queryRunner.query(
      `ALTER TABLE "optimizations" DROP CONSTRAINT "FK_3271351d3ea10b4d0a51ab1ecbf"`,
    );
    await queryRunner.query(
      `ALTER TABLE "optimizations" DROP CONSTRAINT "FK_1bbdae7922c0dbc92fbff9dd1de"`,
    );
    await queryRunner.query(
      `ALTER TABLE "optimizations" DROP CONSTRAINT "FK_0f4c73432eba050a99c55ca25f6"`,
    );
    await queryRunner.query(
      `ALTER TABLE "optimizations" DROP CONSTRAINT "FK_be57e458b3c10541e26e1fd3477"`,
    );
    await queryRunner.query(
      `ALTER TABLE "prompts" DROP CONSTRAINT "FK_9c49f0489ae7ce515845ac65422"`,
    );
    await queryRunner.query(
      `ALTER TABLE "prompts" DROP CONSTRAINT "FK_c3c6a1929369ca1c5c3e3c49d78"`,
    );
    await queryRunner.query(
      `ALTER TABLE "prompts" DROP CONSTRAINT "FK_447caabd60629f3c2f25c7c0bd5"`,
    );
    await queryRunner.query(
      `ALTER TABLE "signatures" DROP CONSTRAINT "FK_e0749e721a3846931787b7aa320"`,
    );
    await queryRunner.query(
      `ALTER TABLE "projects" DROP CONSTRAINT "FK_af78b8fc6857fe0a10d1bb1699e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" DROP CONSTRAINT "FK_a3baee01d8408cd3c0f89a9a973"`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" DROP CONSTRAINT "FK_deb68fe8625b21785d1c48283e4"`,
    );
    await queryRunner.query(`DROP TABLE "optimization_iterations"`);
    await queryRunner.query(`DROP INDEX "public"."ix_memberships_user"`);
    await queryRunner.query(`DROP TABLE "memberships"`);
    await queryRunner.query(`DROP INDEX "public"."ix_llm_cache_expires"`);
    await queryRunner.query(`DROP TABLE "llm_cache"`);
    await queryRunner.query(`DROP INDEX "public"."ix_jobs_status_queue"`);
    await queryRunner.query(`DROP INDEX "public"."ix_jobs_entity"`);
    await queryRunner.query(`DROP INDEX "public"."ix_jobs_workspace_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_jobs_project"`);
    await queryRunner.query(`DROP TABLE "jobs"`);
    await queryRunner.query(`DROP INDEX "public"."ix_idempotency_keys_expires"`);
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
    await queryRunner.query(`DROP INDEX "public"."ix_evaluation_results_test_case"`);
    await queryRunner.query(`DROP TABLE "evaluation_results"`);
    await queryRunner.query(`DROP INDEX "public"."ix_test_cases_project"`);
    await queryRunner.query(`DROP TABLE "test_cases"`);
    await queryRunner.query(`DROP INDEX "public"."ix_evaluations_project_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_evaluations_prompt_version"`);
    await queryRunner.query(`DROP TABLE "evaluations"`);
    await queryRunner.query(`DROP TABLE "prompt_versions"`);
    await queryRunner.query(`DROP INDEX "public"."ix_optimizations_project_created"`);
    await queryRunner.query(`DROP INDEX "public"."ix_optimizations_prompt"`);
    await queryRunner.query(`DROP TABLE "optimizations"`);
    await queryRunner.query(`DROP INDEX "public"."ix_prompts_project"`);
    await queryRunner.query(`DROP TABLE "prompts"`);
    await queryRunner.query(`DROP INDEX "public"."ix_signatures_project"`);
    await queryRunner.query(`DROP TABLE "signatures"`);
    await queryRunner.query(`DROP INDEX "public"."ix_projects_workspace_created"`);
    await queryRunner.query(`DROP TABLE "projects"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_events_workspace_at"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP INDEX "public"."ix_api_keys_workspace"`);
    await queryRunner.query(`DROP INDEX "public"."ix_api_keys_user"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP TABLE "workspaces"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
