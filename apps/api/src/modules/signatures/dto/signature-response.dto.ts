import { ApiProperty } from '@nestjs/swagger';
import { SignatureFieldDto } from './signature-field.dto';
import { PageOf } from '../../../http/dto/page.dto';

export class SignatureResponseDto {
  @ApiProperty()
  id!: number;

  @ApiProperty({ format: 'uuid' })
  uuid!: string;

  @ApiProperty()
  project_id!: number;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  instruction!: string | null;

  @ApiProperty({ type: [SignatureFieldDto] })
  input_schema!: SignatureFieldDto[];

  @ApiProperty({ type: [SignatureFieldDto] })
  output_schema!: SignatureFieldDto[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Free-form: your own constraints on the task, stored as sent.',
  })
  constraints!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class SignaturePageDto extends PageOf(SignatureResponseDto) {}
