import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { requestIdOf } from '@ps/common';
import { renderComparisonCsv, renderCsv, renderReport } from '@ps/evaluation';
import { RateLimit, RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
import { Audited } from '../../http/audit.interceptor';
import { IdParamPipe } from '../../http/id-param.pipe';
import { Idempotent } from '../../http/idempotency.interceptor';
import {
  CompareEvaluationsDto,
  ComparisonResponseDto,
  CreateEvaluationDto,
  EvaluationPageDto,
  EvaluationResponseDto,
  EvaluationResultPageDto,
  ListEvaluationsQueryDto,
  ListResultsQueryDto,
  ReportQueryDto,
  WaitQueryDto,
} from './dto/evaluation.dto';
import { EvaluationsService } from './evaluations.service';
import { JobResponseDto } from '../jobs/dto/job.dto';
import { toJobResponse } from '../jobs/job.mapper';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

@ApiTags('evaluations')
@Controller('evaluations')
export class EvaluationsController {
  constructor(private readonly evaluations: EvaluationsService) {}

  /**
   * Start an evaluation run (a job): 202 with the evaluation and its job id. With `wait=true` the
   * answer waits for the run (up to EVALUATION_WAIT_SECONDS): 200 with the result when it ended.
   */
  @Post('create')
  @RequirePermission('write')
  @RateLimit('evaluate')
  @Idempotent()
  @ApiIdempotencyKey()
  @Audited('evaluation.create', 'evaluation')
  @ApiAcceptedResponse({ type: EvaluationResponseDto })
  @ApiOkResponse({ type: EvaluationResponseDto, description: 'wait=true and the run ended.' })
  @ApiProblems(403, 404, 503)
  async createEvaluation(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateEvaluationDto,
    @Query() query: WaitQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.evaluations.create(actor, dto, requestIdOf(req) ?? null, query.wait);
    res.status(query.wait && FINISHED.has(result.status) ? 200 : 202);
    return result;
  }

  /**
   * Paired comparison of two completed evaluations (`evaluation_ids`), or of two prompts or
   * versions run here on the same cases and model: delta with a bootstrap interval, win/tie/loss,
   * McNemar's test, per-metric deltas, per-case differences and a verdict.
   */
  @Post('compare')
  @RequirePermission('write')
  @RateLimit('evaluate')
  @HttpCode(200)
  @ApiOkResponse({ type: ComparisonResponseDto })
  @ApiProblems(403, 404, 409)
  compareEvaluations(
    @CurrentActor() actor: Actor,
    @Body() dto: CompareEvaluationsDto,
    @Req() req: Request,
  ) {
    return this.evaluations.compare(actor, dto, requestIdOf(req) ?? null);
  }

  /** Evaluations of the workspace, newest first. */
  @Get('list')
  @RequirePermission('read')
  @ApiOkResponse({ type: EvaluationPageDto })
  @ApiProblems()
  listEvaluations(@CurrentActor() actor: Actor, @Query() query: ListEvaluationsQueryDto) {
    return this.evaluations.list(actor, query);
  }

  /** Cancel a run: a waiting job is removed; a running one stops at its next case. */
  @Post('cancel/:id')
  @HttpCode(200)
  @RequirePermission('write')
  @Audited('evaluation.cancel', 'evaluation')
  @ApiOkResponse({ type: EvaluationResponseDto })
  @ApiProblems(403, 404, 409)
  cancelEvaluation(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.evaluations.cancel(actor, id);
  }

  /** Download a report rendered by a `report` job (POST /evaluations/{id}/report). */
  @Get('reports/:reportId')
  @RequirePermission('read')
  @ApiProduces('application/json', 'text/csv', 'text/markdown', 'text/html', 'application/pdf')
  @ApiOkResponse({ description: 'The stored report document.' })
  @ApiProblems(404)
  async getStoredReport(
    @CurrentActor() actor: Actor,
    @Param('reportId', IdParamPipe) reportId: number,
    @Res() res: Response,
  ): Promise<void> {
    const document = await this.evaluations.storedReport(actor, reportId);
    res.status(200).type(document.contentType).attachment(document.filename).send(document.body);
  }

  /** Status, progress and (when completed) the summary statistics. */
  @Get(':id')
  @RequirePermission('read')
  @ApiOkResponse({ type: EvaluationResponseDto })
  @ApiProblems(404)
  getEvaluation(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.evaluations.get(actor, id);
  }

  /** Per-case results, paged; filter by `passed` or `status`, `order=score` for worst first. */
  @Get(':id/results')
  @RequirePermission('read')
  @ApiOkResponse({ type: EvaluationResultPageDto })
  @ApiProblems(404)
  listResults(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: ListResultsQueryDto,
  ) {
    return this.evaluations.results(actor, id, query);
  }

  /**
   * Render a report in the background (a `report` job), for long runs or to keep the file: 202
   * with the job; when it completes, its result's `report_id` is downloadable at
   * GET /evaluations/reports/{report_id}.
   */
  @Post(':id/report')
  @HttpCode(202)
  @RequirePermission('read')
  @ApiAcceptedResponse({ type: JobResponseDto })
  @ApiProblems(404, 409, 503)
  async renderReport(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: ReportQueryDto,
    @Req() req: Request,
  ) {
    return toJobResponse(
      await this.evaluations.renderInBackground(actor, id, query, requestIdOf(req) ?? null),
    );
  }

  /**
   * The report of a completed run as JSON, CSV (every result, streamed), Markdown, HTML (inline
   * SVG charts, opens offline) or PDF. With `compare_to`, the comparison report of this run (A)
   * and that one (B).
   */
  @Get(':id/report')
  @RequirePermission('read')
  @ApiProduces('application/json', 'text/csv', 'text/markdown', 'text/html', 'application/pdf')
  @ApiOkResponse({ description: 'The report document.' })
  @ApiProblems(404, 409)
  async getReport(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: ReportQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const format = query.format ?? 'json';
    if (format === 'csv') {
      const lines = query.compare_to
        ? renderComparisonCsv(await this.evaluations.comparisonReport(actor, id, query.compare_to))
        : renderCsv(
            this.evaluations.allCases(actor, id),
            await this.evaluations.metricNames(actor, id),
          );
      const name = query.compare_to
        ? `comparison-${id}-vs-${query.compare_to}.csv`
        : `evaluation-${id}.csv`;
      // 404 or 409 before any byte is sent: a running run would export a partial CSV.
      await this.evaluations.reportable(actor, id);
      res.status(200).type('text/csv; charset=utf-8').attachment(name);
      for await (const line of lines) {
        if (!res.write(line)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
      return;
    }
    const report = query.compare_to
      ? await this.evaluations.comparisonReport(actor, id, query.compare_to)
      : await this.evaluations.evaluationReport(actor, id);
    const rendered = await renderReport(report, format);
    res.status(200).type(rendered.contentType);
    if (format === 'pdf' || format === 'md' || format === 'html') res.attachment(rendered.filename);
    res.send(rendered.body);
  }
}
