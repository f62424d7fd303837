import type { Provider } from '@nestjs/common';
import { EvaluationProcessor } from './evaluation.processor';
import { GenerationProcessor } from './generation.processor';
import { OptimizationProcessor } from './optimization.processor';
import { PingProcessor } from './ping.processor';
import { ReportProcessor } from './report.processor';

/**
 * Every job processor, one per (queue, job name). The worker registers these, and so does the API
 * when it runs jobs itself (all-in-one mode, no Redis): one list, so both run the same handlers.
 */
export const PROCESSORS: Provider[] = [
  PingProcessor,
  EvaluationProcessor,
  OptimizationProcessor,
  ReportProcessor,
  GenerationProcessor,
];
