import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { requestIdOf } from '@ps/common';
import { RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiProblems } from '../../http/api-problems.decorator';
import { Audited } from '../../http/audit.interceptor';
import { pageRequest } from '../../http/dto/page-query.dto';
import { IdParamPipe } from '../../http/id-param.pipe';
import {
  JobPageDto,
  JobResponseDto,
  ListJobsQueryDto,
  PingJobDto,
  StatusResponseDto,
} from './dto/job.dto';
import { JobsService } from './jobs.service';

@ApiTags('jobs')
@Controller()
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  /** Queue a `ping` job: proves API -> queue -> worker -> database -> events end to end. */
  @Post('jobs/ping')
  @HttpCode(202)
  @RequirePermission('write')
  @Audited('job.ping', 'job')
  @ApiAcceptedResponse({ type: JobResponseDto })
  @ApiProblems(403, 503)
  createPingJob(@CurrentActor() actor: Actor, @Body() dto: PingJobDto, @Req() req: Request) {
    return this.jobs.ping(actor, dto, requestIdOf(req) ?? null);
  }

  /** Jobs of the workspace, newest first. */
  @Get('jobs/list')
  @RequirePermission('read')
  @ApiOkResponse({ type: JobPageDto })
  @ApiProblems()
  listJobs(@CurrentActor() actor: Actor, @Query() query: ListJobsQueryDto) {
    return this.jobs.list(actor, query, pageRequest(query));
  }

  /** Cancel a job: removed when waiting, stopped at its next step when running. */
  @Post('jobs/cancel/:id')
  @HttpCode(200)
  @RequirePermission('write')
  @Audited('job.cancel', 'job')
  @ApiOkResponse({ type: JobResponseDto })
  @ApiProblems(403, 404, 409)
  cancelJob(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.jobs.cancel(actor, id);
  }

  /** One job, from the jobs mirror. */
  @Get('jobs/:id')
  @RequirePermission('read')
  @ApiOkResponse({ type: JobResponseDto })
  @ApiProblems(404)
  getJob(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.jobs.get(actor, id);
  }

  /** Queue depth, running jobs, stale leases, success rate and mean time per job type. */
  @Get('status')
  @RequirePermission('read')
  @ApiOkResponse({ type: StatusResponseDto })
  @ApiProblems()
  getStatus(@CurrentActor() actor: Actor) {
    return this.jobs.status(actor);
  }
}
