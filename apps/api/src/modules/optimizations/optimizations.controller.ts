import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { requestIdOf } from '@ps/common';
import { RateLimit, RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
import { Audited } from '../../http/audit.interceptor';
import { IdParamPipe } from '../../http/id-param.pipe';
import { Idempotent } from '../../http/idempotency.interceptor';
import {
  CandidatePageDto,
  CreateOptimizationDto,
  ListCandidatesQueryDto,
  ListOptimizationsQueryDto,
  OptimizationEstimateDto,
  OptimizationPageDto,
  OptimizationResponseDto,
  StrategyListDto,
} from './dto/optimization.dto';
import { OptimizationsService } from './optimizations.service';
import { ApiBodyExamples } from '../../http/api-body-examples.decorator';
import { CREATE_OPTIMIZATION_EXAMPLES } from '../../openapi/request-examples';

@ApiTags('optimizations')
@Controller('optimizations')
export class OptimizationsController {
  constructor(private readonly optimizations: OptimizationsService) {}

  /**
   * Start an optimization (a job): 202 with the run. Parameters are checked per strategy (400
   * naming the field and its range); the estimate of what it will spend comes with the run.
   */
  @Post('create')
  @ApiOperation({
    summary: 'Start an optimization',
    description:
      'Start an optimization (a job): 202 with the run. Parameters are checked per strategy (400 naming the field and its range); the estimate of what it will spend comes with the run.',
  })
  @HttpCode(202)
  @RequirePermission('write')
  @RateLimit('optimize')
  @Idempotent()
  @ApiIdempotencyKey()
  @Audited('optimization.create', 'optimization')
  @ApiAcceptedResponse({ type: OptimizationResponseDto })
  @ApiProblems(403, 404, 503)
  @ApiBodyExamples(CreateOptimizationDto, CREATE_OPTIMIZATION_EXAMPLES)
  createOptimization(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateOptimizationDto,
    @Req() req: Request,
  ) {
    return this.optimizations.create(actor, dto, requestIdOf(req) ?? null);
  }

  /**
   * What a run with this body would spend: expected and maximum calls, tokens and cost, from a
   * dry run of the strategy under the same budget accountant that enforces the budget.
   */
  @Post('estimate')
  @ApiOperation({
    summary: 'Estimate what an optimization would spend',
    description:
      'What a run with this body would spend: expected and maximum calls, tokens and cost, from a dry run of the strategy under the same budget accountant that enforces the budget.',
  })
  @HttpCode(200)
  @RequirePermission('read')
  @ApiOkResponse({ type: OptimizationEstimateDto })
  @ApiProblems(404)
  @ApiBodyExamples(CreateOptimizationDto, CREATE_OPTIMIZATION_EXAMPLES)
  estimateOptimization(@CurrentActor() actor: Actor, @Body() dto: CreateOptimizationDto) {
    return this.optimizations.estimate(actor, dto);
  }

  /** The strategies: name, description, parameters with types, defaults and ranges. */
  @Get('strategies')
  @ApiOperation({
    summary: 'List the optimization strategies',
    description: 'The strategies: name, description, parameters with types, defaults and ranges.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: StrategyListDto })
  @ApiProblems()
  listOptimizationStrategies(): StrategyListDto {
    return this.optimizations.strategies();
  }

  /** Optimizations of the workspace, newest first. */
  @Get('list')
  @ApiOperation({
    summary: 'List the optimizations of the workspace, newest first',
    description: 'Optimizations of the workspace, newest first.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: OptimizationPageDto })
  @ApiProblems()
  listOptimizations(@CurrentActor() actor: Actor, @Query() query: ListOptimizationsQueryDto) {
    return this.optimizations.list(actor, query);
  }

  /** Cancel a run (the original documentation's route): the best so far is kept. */
  @Post('cancel/:id')
  @ApiOperation({
    summary: 'Cancel an optimization (original route)',
    description: "Cancel a run (the original documentation's route): the best so far is kept.",
  })
  @HttpCode(200)
  @RequirePermission('write')
  @Audited('optimization.cancel', 'optimization')
  @ApiOkResponse({ type: OptimizationResponseDto })
  @ApiProblems(403, 404, 409)
  cancelOptimizationLegacy(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.optimizations.cancel(actor, id);
  }

  /** Status, progress, baseline and best per split, the verdict, usage against the budget. */
  @Get(':id')
  @ApiOperation({
    summary: 'Get an optimization',
    description:
      'Status, progress, baseline and best per split, the verdict, usage against the budget.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: OptimizationResponseDto })
  @ApiProblems(404)
  getOptimization(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.optimizations.get(actor, id);
  }

  /** Every candidate with its lineage (parent ids, operator), scores per split and status. */
  @Get(':id/candidates')
  @ApiOperation({
    summary: 'List the candidates of an optimization',
    description:
      'Every candidate with its lineage (parent ids, operator), scores per split and status.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: CandidatePageDto })
  @ApiProblems(404)
  listOptimizationCandidates(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: ListCandidatesQueryDto,
  ) {
    return this.optimizations.candidates(actor, id, query);
  }

  /** Cancel a run: it stops within one iteration, status `cancelled`, the best so far kept. */
  @Post(':id/cancel')
  @ApiOperation({
    summary: 'Cancel an optimization',
    description:
      'Cancel a run: it stops within one iteration, status `cancelled`, the best so far kept.',
  })
  @HttpCode(200)
  @RequirePermission('write')
  @Audited('optimization.cancel', 'optimization')
  @ApiOkResponse({ type: OptimizationResponseDto })
  @ApiProblems(403, 404, 409)
  cancelOptimization(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.optimizations.cancel(actor, id);
  }
}
