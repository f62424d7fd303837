import type { Provider } from '@nestjs/common';
import { EvaluationProcessor } from './evaluation.processor';
import { ReportProcessor } from './report.processor';

/** Job processors of this library, registered wherever jobs are consumed (worker, all-in-one API). */
export const PROCESSORS: Provider[] = [EvaluationProcessor, ReportProcessor];
