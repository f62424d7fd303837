import { Module } from '@nestjs/common';
import { ReportBuilder } from '@ps/reports';
import { EvaluationCommandsService } from './evaluation-commands.service';
import { EvaluationComparisonService } from './evaluation-comparison.service';
import { EvaluationQueriesService } from './evaluation-queries.service';
import { EvaluationWaiter } from './evaluation-waiter';
import { EvaluationsController } from './evaluations.controller';

@Module({
  controllers: [EvaluationsController],
  providers: [
    EvaluationCommandsService,
    EvaluationQueriesService,
    EvaluationComparisonService,
    EvaluationWaiter,
    ReportBuilder,
  ],
})
export class EvaluationsModule {}
