import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IMPORT_FORMATS, type ImportFormat } from '@ps/test-case-io';
import { IdField } from '../../../http/dto/integer-fields';
import { Optional, QueryBoolean } from '../../../http/dto/transforms';

export const ON_CONFLICT = ['fail', 'skip', 'rename'] as const;
export type OnConflict = (typeof ON_CONFLICT)[number];

/**
 * Options of an import. Sent as the JSON body (with the file in `content` or `content_base64`),
 * as multipart form fields placed before the file part, or as query parameters with the file as
 * the raw body (`Content-Type: text/csv`, `application/x-ndjson`, `application/yaml`...).
 */
export class ImportTestCasesDto {
  @IdField({ query: true })
  @ApiProperty({ description: 'The project the cases are imported into.' })
  project_id!: number;

  @ApiPropertyOptional({
    enum: IMPORT_FORMATS,
    description:
      'The file format. When omitted it is told from the file name, the content type, then the ' +
      'content itself.',
  })
  @Optional()
  @IsIn(IMPORT_FORMATS)
  format?: ImportFormat;

  @ApiPropertyOptional({
    description: 'The file as text (JSON body only; for files above the body limit, upload).',
  })
  @Optional()
  @IsString()
  content?: string;

  @ApiPropertyOptional({ description: 'The file as base64 (JSON body only).', format: 'byte' })
  @Optional()
  @IsString()
  content_base64?: string;

  @ApiPropertyOptional({
    maxLength: 255,
    description: 'The file name, used to tell the format (JSON body only).',
  })
  @Optional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  filename?: string;

  @IdField({ query: true })
  @ApiPropertyOptional({
    description: "Every row's inputs are checked against this signature's input schema.",
  })
  @Optional()
  signature_id?: number;

  @ApiPropertyOptional({
    default: true,
    description:
      'Rows without a name get one derived from their content (`case-<hash>`); when false they ' +
      'are rejected.',
  })
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  auto_generate_names?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Report what would happen; write nothing.' })
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  dry_run?: boolean;

  @ApiPropertyOptional({
    enum: ON_CONFLICT,
    default: 'fail',
    description:
      'A row whose name is taken (in the project or by an earlier row): `fail` rejects the row, ' +
      '`skip` leaves it out, `rename` imports it as `<name>-2`, `<name>-3`...',
  })
  @Optional()
  @IsIn(ON_CONFLICT)
  on_conflict?: OnConflict;

  @ApiPropertyOptional({
    default: false,
    description:
      'Import every row or none: one rejected row rejects the import (400, with the report).',
  })
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  atomic?: boolean;
}
