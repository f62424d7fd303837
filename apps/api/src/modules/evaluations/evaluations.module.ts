import { Module } from '@nestjs/common';
import { ReportBuilder } from '@ps/evaluation';
import { EvaluationsController } from './evaluations.controller';
import { EvaluationsService } from './evaluations.service';

@Module({ controllers: [EvaluationsController], providers: [EvaluationsService, ReportBuilder] })
export class EvaluationsModule {}
