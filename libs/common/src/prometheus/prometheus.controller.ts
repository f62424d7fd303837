import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { register } from 'prom-client';
import { Public } from '../http/public.decorator';

/**
 * Prometheus scrape endpoint `/metrics`, outside the API prefix like the health checks. Not to be
 * confused with the score metrics catalogue (`/api/v1/prompt-studio/metrics/...`).
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class PrometheusController {
  @Get()
  @Header('Content-Type', register.contentType)
  scrapePrometheusMetrics(): Promise<string> {
    return register.metrics();
  }
}
