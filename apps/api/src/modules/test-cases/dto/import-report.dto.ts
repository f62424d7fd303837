import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IMPORT_FORMATS, type ImportFormat } from '@ps/test-case-io';
import { ON_CONFLICT, type OnConflict } from './import-test-cases.dto';

/** Where in the file a reported row is. */
export class ImportRowIssueDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: '1-based row or item; 0: the file.' })
  row!: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: '1-based line where the row starts.' })
  line!: number;

  @ApiPropertyOptional({ description: 'The column or field at fault.' })
  field?: string;

  @ApiProperty()
  message!: string;
}

export class ImportRenameDto {
  @ApiProperty({ type: 'integer', minimum: 1 })
  row!: number;

  @ApiProperty({ type: 'integer', minimum: 1 })
  line!: number;

  @ApiProperty()
  from!: string;

  @ApiProperty()
  to!: string;
}

export class SuggestedMetricDto {
  @ApiProperty({ example: 'contains' })
  metric!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "Free-form: the metric's options, as GET /metrics/list describes them.",
  })
  options?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'number' })
  pass_threshold?: number;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Rows whose assertions suggest it.' })
  rows!: number;
}

/** What an import did (or, with dry_run, would do), row by row. */
export class ImportReportDto {
  @ApiProperty({ enum: IMPORT_FORMATS })
  format!: ImportFormat;

  @ApiProperty()
  dry_run!: boolean;

  @ApiProperty()
  atomic!: boolean;

  @ApiProperty({ enum: ON_CONFLICT })
  on_conflict!: OnConflict;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Rows (or items) read.' })
  rows!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Cases created (with dry_run: that would be).',
  })
  imported!: number;

  @ApiProperty({ type: 'array', items: { type: 'integer', minimum: 1 } })
  imported_ids!: number[];

  @ApiProperty({ type: 'integer', minimum: 0 })
  skipped!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  renamed!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  rejected!: number;

  @ApiProperty({ type: [ImportRowIssueDto], description: 'Why each rejected row was rejected.' })
  errors!: ImportRowIssueDto[];

  @ApiProperty({ type: [ImportRowIssueDto], description: 'Rows left out by on_conflict=skip.' })
  skipped_rows!: ImportRowIssueDto[];

  @ApiProperty({ type: [ImportRenameDto] })
  renames!: ImportRenameDto[];

  @ApiProperty({
    type: [ImportRowIssueDto],
    description: 'What was read but not imported (e.g. a promptfoo assertion with no equivalent).',
  })
  warnings!: ImportRowIssueDto[];

  @ApiProperty({
    description: 'A list above was cut at its first entries (the counts stay exact).',
  })
  truncated!: boolean;

  @ApiProperty({ type: [SuggestedMetricDto] })
  suggested_metrics!: SuggestedMetricDto[];
}
