import type { MigrationInterface } from 'typeorm';
import { InitialSchema1763942400000 } from './1763942400000-initial-schema';

/** Every migration, in order. `npm run migration:generate` prints the line to add here. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [InitialSchema1763942400000];
