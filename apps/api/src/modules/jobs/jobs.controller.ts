import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { ApiBodyExamples } from '../../http/api-body-examples.decorator';
import { CREATE_PING_JOB_EXAMPLES } from '../../openapi/request-examples';

@ApiTags('jobs')
@Controller()
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  /** Queue a `ping` job: proves API -> queue -> worker -> database -> events end to end. */
  @Post('jobs/ping')
  @ApiOperation({
    summary: 'Queue a ping job',
    description:
      'Queue a `ping` job: proves API -> queue -> worker -> database -> events end to end.',
  })
  @HttpCode(202)
  @RequirePermission('write')
  @Audited('job.ping', 'job')
  @ApiAcceptedResponse({ type: JobResponseDto })
  @ApiProblems(403, 503)
  @ApiBodyExamples(PingJobDto, CREATE_PING_JOB_EXAMPLES)
  createPingJob(@CurrentActor() actor: Actor, @Body() dto: PingJobDto, @Req() req: Request) {
    return this.jobs.ping(actor, dto, requestIdOf(req) ?? null);
  }

  /** Jobs of the workspace, newest first. */
  @Get('jobs/list')
  @ApiOperation({
    summary: 'List the jobs of the workspace, newest first',
    description: 'Jobs of the workspace, newest first.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: JobPageDto })
  @ApiProblems()
  listJobs(@CurrentActor() actor: Actor, @Query() query: ListJobsQueryDto) {
    return this.jobs.list(actor, query, pageRequest(query));
  }

  /** Cancel a job: removed when waiting, stopped at its next step when running. */
  @Post('jobs/cancel/:id')
  @ApiOperation({
    summary: 'Cancel a job',
    description: 'Cancel a job: removed when waiting, stopped at its next step when running.',
  })
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
  @ApiOperation({ summary: 'Get a job', description: 'One job, from the jobs mirror.' })
  @RequirePermission('read')
  @ApiOkResponse({ type: JobResponseDto })
  @ApiProblems(404)
  getJob(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.jobs.get(actor, id);
  }

  /** Queue depth, running jobs, stale leases, success rate and mean time per job type. */
  @Get('status')
  @ApiOperation({
    summary: 'Get the state of the job queues',
    description:
      'Queue depth, running jobs, stale leases, success rate and mean time per job type.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: StatusResponseDto })
  @ApiProblems()
  getJobQueueStatus(@CurrentActor() actor: Actor) {
    return this.jobs.status(actor);
  }
}
