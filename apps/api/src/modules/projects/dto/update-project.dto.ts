import { ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { Nullable } from '../../../http/dto/transforms';
import { CreateProjectDto } from './create-project.dto';

/**
 * Any subset of the create fields; omitted fields keep their value. `null` is not "omitted": it is
 * validated (and rejected) like any other value, except for `description`, where it clears it.
 */
export class UpdateProjectDto extends PartialType(OmitType(CreateProjectDto, ['description']), {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 10_000 })
  @Nullable()
  @IsString()
  @MaxLength(10_000)
  description?: string | null;
}
