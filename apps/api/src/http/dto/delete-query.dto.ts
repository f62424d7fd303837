import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { QueryBoolean } from './transforms';

export class DeleteQueryDto {
  @ApiPropertyOptional({
    default: false,
    description: 'Remove the row and everything under it for good instead of a soft delete.',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  permanent?: boolean;
}
