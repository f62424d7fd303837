import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsString,
  MaxLength,
} from 'class-validator';
import { API_KEY_SCOPES, type ApiKeyScope } from '@ps/database';
import { PageQueryDto } from '../../../http/dto/page-query.dto';
import { Optional, QueryBoolean, Trim } from '../../../http/dto/transforms';
import { PageOf } from '../../../http/dto/page.dto';
import { IdField, IntField } from '../../../http/dto/integer-fields';

export class CreateApiKeyDto {
  @ApiProperty({ maxLength: 200, example: 'CI pipeline' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({
    enum: API_KEY_SCOPES,
    isArray: true,
    default: ['read', 'write'],
    description: "Narrow what the key may do; never more than its user's role allows.",
  })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes?: ApiKeyScope[];

  @ApiPropertyOptional({ format: 'date-time', description: 'When the key stops working.' })
  @Optional()
  @IsISO8601({ strict: true })
  expires_at?: string;

  @ApiPropertyOptional({ description: 'Days until the key stops working (instead of expires_at).' })
  @Optional()
  @IntField({ min: 1, max: 3650 })
  expires_in_days?: number;

  @ApiPropertyOptional({ description: 'A member to create the key for; yourself by default.' })
  @Optional()
  @IdField()
  user_id?: number;
}

export class ListApiKeysQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ default: false })
  @Optional()
  @QueryBoolean()
  @IsBoolean()
  include_revoked?: boolean;

  @ApiPropertyOptional()
  @Optional()
  @IdField({ query: true })
  user_id?: number;
}

export class ApiKeyResponseDto {
  @ApiProperty()
  id!: number;

  @ApiProperty()
  name!: string;

  @ApiProperty({ example: 'pstudio_Ab12Cd34', description: 'The visible start of the key.' })
  prefix!: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  scopes!: ApiKeyScope[];

  @ApiProperty()
  user_id!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expires_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revoked_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_used_at!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class CreatedApiKeyResponseDto extends ApiKeyResponseDto {
  @ApiProperty({ description: 'The key itself. Shown only in this response: store it now.' })
  key!: string;
}

export class ApiKeyPageDto extends PageOf(ApiKeyResponseDto) {}
