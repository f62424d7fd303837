import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One case as the JSON export, the JSON Lines export and the JSON template write it. */
export class TestCaseRecordDto {
  @ApiPropertyOptional({ description: 'Absent in a template row without a name.' })
  name?: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Free-form: the case inputs by field.',
  })
  inputs!: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Free-form: the expected output fields.',
  })
  expected_outputs!: Record<string, unknown>;

  @ApiProperty({ type: [String] })
  tags!: string[];

  @ApiProperty()
  is_golden!: boolean;

  @ApiProperty()
  is_generated!: boolean;
}

/** The JSON export (`format: json`) and the JSON template: a document that re-imports as is. */
export class TestCaseFileDto {
  @ApiProperty({ enum: [1], description: 'Format version.' })
  version!: 1;

  @ApiPropertyOptional({ description: 'The exported project (exports only).' })
  project_id?: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'When it was exported.' })
  exported_at?: string;

  @ApiPropertyOptional({ description: 'Cases in the file (exports only).' })
  count?: number;

  @ApiProperty({ type: [TestCaseRecordDto] })
  test_cases!: TestCaseRecordDto[];
}
