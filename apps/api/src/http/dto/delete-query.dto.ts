import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { Optional, QueryBoolean } from './transforms';

export class DeleteQueryDto {
  @ApiPropertyOptional({
    default: false,
    description: 'Remove the row and everything under it for good instead of a soft delete.',
  })
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  permanent?: boolean;
}
