import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { TestCaseResponseDto } from './test-case-response.dto';

/**
 * One case as the JSON export, the JSON Lines export and the JSON template write it: the stored
 * case's content, without what the server assigns (ids, project, timestamps).
 */
export class TestCaseRecordDto extends OmitType(TestCaseResponseDto, [
  'id',
  'uuid',
  'project_id',
  'signature_id',
  'name',
  'created_at',
  'updated_at',
] as const) {
  @ApiPropertyOptional({ description: 'Absent in a template row without a name.' })
  name?: string;
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
