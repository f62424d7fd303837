import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ROLES, type Role } from '@ps/database';
import { Optional, Trim } from '../../../http/dto/transforms';
import { PageOf } from '../../../http/dto/page.dto';

export class CreateMemberDto {
  @ApiProperty({ example: 'ada@example.com' })
  @Trim()
  @IsEmail()
  @MaxLength(320)
  email!: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'Ada Lovelace' })
  @Optional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  display_name?: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}

export class UpdateMemberDto {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}

export class MemberResponseDto {
  @ApiProperty()
  user_id!: number;

  @ApiProperty({ type: String, nullable: true })
  email!: string | null;

  @ApiProperty()
  display_name!: string;

  @ApiProperty({ enum: ROLES })
  role!: Role;

  @ApiProperty({ format: 'date-time' })
  joined_at!: string;
}

export class MemberPageDto extends PageOf(MemberResponseDto) {}

export class WorkspaceResponseDto {
  @ApiProperty()
  id!: number;

  @ApiProperty({ format: 'uuid' })
  uuid!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  slug!: string;

  @ApiProperty({ description: 'The caller.' })
  user_id!: number;

  @ApiProperty({ enum: ROLES, description: "The caller's role." })
  role!: Role;

  @ApiProperty({ type: [String], description: 'What the caller may do here.' })
  permissions!: string[];
}
