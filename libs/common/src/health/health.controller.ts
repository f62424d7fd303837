import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../http/public.decorator';
import type { HealthCheck } from './health-check';
import { LivenessDto, ReadinessDto } from './health.dto';

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

/** `/health/live` and `/health/ready`, served by the API and the worker alike. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: Record<string, HealthCheck>) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @ApiOperation({
    summary: 'Liveness: the process is up',
    description: 'The process is up and serving HTTP.',
  })
  @HttpCode(200)
  @ApiOkResponse({ type: LivenessDto })
  getLiveness(): LivenessDto {
    return { status: 'ok' };
  }

  /** The process can do useful work: every dependency answers. 503 otherwise. */
  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: every dependency answers',
    description: 'The process can do useful work: every dependency answers. 503 otherwise.',
  })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: ReadinessDto })
  async getReadiness(@Res({ passthrough: true }) res: Response): Promise<ReadinessDto> {
    const names = Object.keys(this.checks);
    const results = await Promise.all(names.map((name) => this.checks[name].check()));
    const checks = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const ready = results.every((r) => r.status === 'up');
    res.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'unavailable', checks };
  }
}
