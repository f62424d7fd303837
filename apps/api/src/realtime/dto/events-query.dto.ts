import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, Min } from 'class-validator';
import { SCOPED_ENTITY_TYPES, type ScopedEntityType } from '@ps/database';
import { QueryInt } from '../../http/dto/transforms';

export class EventsQueryDto {
  @ApiProperty({ enum: SCOPED_ENTITY_TYPES, description: 'The kind of entity to follow.' })
  @IsIn(SCOPED_ENTITY_TYPES)
  entity_type!: ScopedEntityType;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Its id.' })
  @QueryInt()
  @IsInt()
  @Min(1)
  entity_id!: number;
}
