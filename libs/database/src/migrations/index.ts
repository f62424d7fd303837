import type { MigrationInterface } from 'typeorm';
import { InitialSchema1763942400000 } from './1763942400000-initial-schema';
import { ReportDocuments1795490780255 } from './1795490780255-report-documents';
import { JobWorker1796495593684 } from './1796495593684-job-worker';
import { OptimizationCandidates1796500000000 } from './1796500000000-optimization-candidates';

/** Every migration, in order. `npm run migration:generate` prints the line to add here. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  InitialSchema1763942400000,
  ReportDocuments1795490780255,
  JobWorker1796495593684,
  OptimizationCandidates1796500000000,
];
