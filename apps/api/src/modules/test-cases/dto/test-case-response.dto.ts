import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../../../http/dto/page.dto';

export class TestCaseResponseDto {
  @ApiProperty()
  id!: number;

  @ApiProperty({ format: 'uuid' })
  uuid!: string;

  @ApiProperty()
  project_id!: number;

  @ApiProperty({ type: Number, nullable: true })
  signature_id!: number | null;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "Free-form: the case's inputs by template variable, as you wrote them.",
  })
  inputs!: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Free-form: the expected outputs, as you wrote them ({} when none).',
  })
  expected_outputs!: Record<string, unknown>;

  @ApiProperty({ type: [String] })
  tags!: string[];

  @ApiProperty()
  is_golden!: boolean;

  @ApiProperty()
  is_generated!: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class TestCasePageDto extends PageOf(TestCaseResponseDto) {}

export class BulkTestCasesResponseDto {
  @ApiProperty({ example: 25 })
  created!: number;

  @ApiProperty({ type: [TestCaseResponseDto] })
  items!: TestCaseResponseDto[];
}
