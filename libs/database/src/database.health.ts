import { Injectable } from '@nestjs/common';
import { type HealthCheck, type HealthCheckResult, probe } from '@ps/common';
import { DataSource } from 'typeorm';

@Injectable()
export class DatabaseHealth implements HealthCheck {
  constructor(private readonly dataSource: DataSource) {}

  check(): Promise<HealthCheckResult> {
    return probe(() => this.dataSource.query('SELECT 1'));
  }
}
