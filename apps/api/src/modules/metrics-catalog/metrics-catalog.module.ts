import { Module } from '@nestjs/common';
import { MetricsCatalogController } from './metrics-catalog.controller';

@Module({ controllers: [MetricsCatalogController] })
export class MetricsCatalogModule {}
