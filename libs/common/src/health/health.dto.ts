import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LivenessDto {
  @ApiProperty({ example: 'ok' })
  status!: 'ok';
}

export class DependencyCheckDto {
  @ApiProperty({ enum: ['up', 'down'] })
  status!: 'up' | 'down';

  @ApiProperty()
  latency_ms!: number;

  @ApiPropertyOptional()
  error?: string;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] })
  status!: 'ok' | 'unavailable';

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/DependencyCheckDto' },
    example: { database: { status: 'up', latency_ms: 1 } },
  })
  checks!: Record<string, DependencyCheckDto>;
}
