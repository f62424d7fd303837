import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { register } from 'prom-client';
import { Public } from '../http/public.decorator';

/** Prometheus scrape endpoint, outside the API prefix, like the health checks. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  getMetrics(): Promise<string> {
    return register.metrics();
  }
}
