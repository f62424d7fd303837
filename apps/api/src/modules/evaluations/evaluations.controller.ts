import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { requestIdOf } from '@ps/common';
import { render, REPORT_MEDIA_TYPES } from '@ps/reports';
import { RateLimit, RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiFileResponse, BINARY_FILE, TEXT_FILE } from '../../http/api-file-response.decorator';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
import { Audited } from '../../http/audit.interceptor';
import { IdParamPipe } from '../../http/id-param.pipe';
import { sendDownload } from '../../http/send-download';
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
import { EvaluationCommandsService } from './evaluation-commands.service';
import { EvaluationComparisonService } from './evaluation-comparison.service';
import { EvaluationQueriesService } from './evaluation-queries.service';
import { ENDED_STATUSES } from './evaluation-waiter';
import { JobResponseDto } from '../jobs/dto/job.dto';
import { toJobResponse } from '../jobs/job.mapper';
import { ApiBodyExamples } from '../../http/api-body-examples.decorator';
import {
  COMPARE_EVALUATIONS_EXAMPLES,
  CREATE_EVALUATION_EXAMPLES,
} from '../../openapi/request-examples';

/** Each report format's media type with what its body is. */
const REPORT_CONTENT = Object.fromEntries(
  REPORT_MEDIA_TYPES.map((type) => [
    type,
    type === 'application/json'
      ? {
          type: 'object' as const,
          additionalProperties: true,
          description:
            'Free-form here: the report model (run, summary, per-metric statistics, results and ' +
            'chart data) that every other format is rendered from.',
        }
      : type === 'application/pdf'
        ? BINARY_FILE
        : TEXT_FILE,
  ]),
);

@ApiTags('evaluations')
@Controller('evaluations')
export class EvaluationsController {
  constructor(
    private readonly commands: EvaluationCommandsService,
    private readonly queries: EvaluationQueriesService,
    private readonly comparison: EvaluationComparisonService,
  ) {}

  /**
   * Start an evaluation run (a job): 202 with the evaluation and its job id. With `wait=true` the
   * answer waits for the run (up to EVALUATION_WAIT_SECONDS): 200 with the result when it ended.
   */
  @Post('create')
  @ApiOperation({
    summary: 'Start an evaluation run',
    description:
      'Start an evaluation run (a job): 202 with the evaluation and its job id. With `wait=true` the answer waits for the run (up to EVALUATION_WAIT_SECONDS): 200 with the result when it ended.',
  })
  @RequirePermission('write')
  @RateLimit('evaluate')
  @Idempotent()
  @ApiIdempotencyKey()
  @Audited('evaluation.create', 'evaluation')
  @ApiAcceptedResponse({ type: EvaluationResponseDto })
  @ApiOkResponse({ type: EvaluationResponseDto, description: 'wait=true and the run ended.' })
  @ApiProblems(403, 404, 503)
  @ApiBodyExamples(CreateEvaluationDto, CREATE_EVALUATION_EXAMPLES)
  async createEvaluation(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateEvaluationDto,
    @Query() query: WaitQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.commands.create(actor, dto, requestIdOf(req) ?? null, query.wait);
    res.status(query.wait && ENDED_STATUSES.has(result.status) ? 200 : 202);
    return result;
  }

  /**
   * Paired comparison of two completed evaluations (`evaluation_ids`), or of two prompts or
   * versions run here on the same cases and model: delta with a bootstrap interval, win/tie/loss,
   * McNemar's test, per-metric deltas, per-case differences and a verdict.
   */
  @Post('compare')
  @ApiOperation({
    summary: 'Compare two evaluations, or run two prompts or versions and compare them',
    description:
      "Paired comparison of two completed evaluations (`evaluation_ids`), or of two prompts or versions run here on the same cases and model: delta with a bootstrap interval, win/tie/loss, McNemar's test, per-metric deltas, per-case differences and a verdict.",
  })
  @RequirePermission('write')
  @RateLimit('evaluate')
  @HttpCode(200)
  @ApiOkResponse({ type: ComparisonResponseDto })
  @ApiProblems(403, 404, 409)
  @ApiBodyExamples(CompareEvaluationsDto, COMPARE_EVALUATIONS_EXAMPLES)
  compareEvaluations(
    @CurrentActor() actor: Actor,
    @Body() dto: CompareEvaluationsDto,
    @Req() req: Request,
  ) {
    return this.comparison.compare(actor, dto, requestIdOf(req) ?? null);
  }

  /** Evaluations of the workspace, newest first. */
  @Get('list')
  @ApiOperation({
    summary: 'List the evaluations of the workspace, newest first',
    description:
      'Evaluations of the workspace, newest first, filtered by project, prompt or status.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: EvaluationPageDto })
  @ApiProblems()
  listEvaluations(@CurrentActor() actor: Actor, @Query() query: ListEvaluationsQueryDto) {
    return this.queries.list(actor, query);
  }

  /** Cancel a run: a waiting job is removed; a running one stops at its next case. */
  @Post('cancel/:id')
  @ApiOperation({
    summary: 'Cancel an evaluation run',
    description: 'Cancel a run: a waiting job is removed; a running one stops at its next case.',
  })
  @HttpCode(200)
  @RequirePermission('write')
  @Audited('evaluation.cancel', 'evaluation')
  @ApiOkResponse({ type: EvaluationResponseDto })
  @ApiProblems(403, 404, 409)
  cancelEvaluation(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.commands.cancel(actor, id);
  }

  /** Download a report rendered by a `report` job (POST /evaluations/{id}/report). */
  @Get('reports/:reportId')
  @ApiOperation({
    summary: 'Download a report rendered in the background',
    description: 'Download a report rendered by a `report` job (POST /evaluations/{id}/report).',
  })
  @RequirePermission('read')
  @ApiFileResponse('The stored report document.', REPORT_CONTENT)
  @ApiProblems(404)
  async getRenderedEvaluationReport(
    @CurrentActor() actor: Actor,
    @Param('reportId', IdParamPipe) reportId: number,
    @Res() res: Response,
  ): Promise<void> {
    const document = await this.comparison.storedReport(actor, reportId);
    res.status(200).attachment(document.filename).type(document.contentType).send(document.body);
  }

  /** Status, progress and (when completed) the summary statistics. */
  @Get(':id')
  @ApiOperation({
    summary: 'Get an evaluation: status, progress and summary',
    description: 'Status, progress and (when completed) the summary statistics.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: EvaluationResponseDto })
  @ApiProblems(404)
  getEvaluation(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.queries.get(actor, id);
  }

  /** Per-case results, paged; filter by `passed` or `status`, `order=score` for worst first. */
  @Get(':id/results')
  @ApiOperation({
    summary: 'List the per-case results of an evaluation',
    description:
      'Per-case results, paged; filter by `passed` or `status`, `order=score` for worst first.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: EvaluationResultPageDto })
  @ApiProblems(404)
  listEvaluationResults(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: ListResultsQueryDto,
  ) {
    return this.queries.results(actor, id, query);
  }

  /**
   * Render a report in the background (a `report` job), for long runs or to keep the file: 202
   * with the job; when it completes, its result's `report_id` is downloadable at
   * GET /evaluations/reports/{report_id}.
   */
  @Post(':id/report')
  @ApiOperation({
    summary: 'Render an evaluation report in the background',
    description:
      "Render a report in the background (a `report` job), for long runs or to keep the file: 202 with the job; when it completes, its result's `report_id` is downloadable at GET /evaluations/reports/{report_id}.",
  })
  @HttpCode(202)
  @RequirePermission('read')
  @ApiAcceptedResponse({ type: JobResponseDto })
  @ApiProblems(404, 409, 503)
  async renderEvaluationReport(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: ReportQueryDto,
    @Req() req: Request,
  ) {
    return toJobResponse(
      await this.comparison.renderInBackground(actor, id, query, requestIdOf(req) ?? null),
    );
  }

  /**
   * The report of a completed run as JSON, CSV (every result, streamed), Markdown, HTML (inline
   * SVG charts, opens offline) or PDF. With `compare_to`, the comparison report of this run (A)
   * and that one (B).
   */
  @Get(':id/report')
  @ApiOperation({
    summary: 'Get the report of an evaluation (JSON, CSV, Markdown, HTML or PDF)',
    description:
      'The report of a completed run as JSON, CSV (every result, streamed), Markdown, HTML (inline SVG charts, opens offline) or PDF. With `compare_to`, the comparison report of this run (A) and that one (B).',
  })
  @RequirePermission('read')
  @ApiFileResponse('The report document, in the requested format.', REPORT_CONTENT)
  @ApiProblems(404, 409)
  async getEvaluationReport(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: ReportQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    // 404 or 409 before any byte is sent: a running run would export a partial report.
    const source = await this.comparison.reportSource(actor, id, query.compare_to);
    const rendered = await render(source.report, query.format ?? 'json', source.cases);
    await sendDownload(res, rendered);
  }
}
