import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { SCOPED_ENTITY_TYPES, type ScopedEntityType } from '@ps/database';
import { IdField } from '../../http/dto/integer-fields';

export class EventsQueryDto {
  @ApiProperty({ enum: SCOPED_ENTITY_TYPES, description: 'The kind of entity to follow.' })
  @IsIn(SCOPED_ENTITY_TYPES)
  entity_type!: ScopedEntityType;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Its id.' })
  @IdField({ query: true })
  entity_id!: number;
}
