import { ApiProperty } from '@nestjs/swagger';
import { PROJECT_STATUSES, type ProjectStatus } from '@ps/database';
import { PageOf } from '../../../http/dto/page.dto';

export class ProjectResponseDto {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ format: 'uuid' })
  uuid!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ enum: PROJECT_STATUSES })
  status!: ProjectStatus;

  @ApiProperty({ type: [String] })
  tags!: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Free-form: your own data about the project, stored as sent.',
  })
  metadata!: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Free-form: your own project settings (a default model, say), stored as sent.',
  })
  config!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class ProjectPageDto extends PageOf(ProjectResponseDto) {}

export class ProjectStatsResponseDto {
  @ApiProperty()
  project_id!: number;

  @ApiProperty()
  signatures!: number;

  @ApiProperty()
  prompts!: number;

  @ApiProperty()
  prompt_versions!: number;

  @ApiProperty()
  test_cases!: number;

  @ApiProperty()
  golden_test_cases!: number;

  @ApiProperty()
  evaluations!: number;

  @ApiProperty()
  completed_evaluations!: number;

  @ApiProperty()
  optimizations!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_evaluation_at!: string | null;
}
