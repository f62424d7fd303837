import type { MigrationInterface } from 'typeorm';
import { InitialSchema1763942400000 } from './1763942400000-initial-schema';
import { ReportDocuments1795490780255 } from './1795490780255-report-documents';

/** Every migration, in order. `npm run migration:generate` prints the line to add here. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  InitialSchema1763942400000,
  ReportDocuments1795490780255,
];
