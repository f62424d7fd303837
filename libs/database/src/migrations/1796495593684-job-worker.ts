import type { MigrationInterface, QueryRunner } from 'typeorm';

/** jobs.worker_id: which process ran the job, kept after the lease is released. */
export class JobWorker1796495593684 implements MigrationInterface {
  name = 'JobWorker1796495593684';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "jobs" ADD "worker_id" text`);
    // Jobs running now already name their process as the lease owner.
    await queryRunner.query(
      `UPDATE "jobs" SET "worker_id" = "lease_owner" WHERE "lease_owner" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "jobs" DROP COLUMN "worker_id"`);
  }
}
