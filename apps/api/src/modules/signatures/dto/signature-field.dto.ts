import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { Optional } from '../../../http/dto/transforms';
import { SIGNATURE_FIELD_TYPES, type SignatureFieldType } from '@ps/common';

export class SignatureFieldDto {
  @ApiProperty({ example: 'question', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 64 })
  @IsString()
  @Matches(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    message: 'name must start with a letter or underscore and hold only letters, digits and _',
  })
  @MaxLength(64)
  name!: string;

  @ApiProperty({ enum: SIGNATURE_FIELD_TYPES })
  @IsIn(SIGNATURE_FIELD_TYPES)
  type!: SignatureFieldType;

  @ApiPropertyOptional({ maxLength: 2000 })
  @Optional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ default: true })
  @Optional()
  @IsBoolean()
  required?: boolean;
}
