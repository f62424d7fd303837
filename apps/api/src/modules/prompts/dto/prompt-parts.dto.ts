import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, registerDecorator } from 'class-validator';
import { IsPlainObject, Optional } from '../../../http/dto/transforms';

function IsObjectOrString(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isObjectOrString',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be a JSON object or a string` },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' ||
          (value !== null && typeof value === 'object' && !Array.isArray(value)),
      },
    });
}

export class FewShotExampleDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: { question: '2+2?' } })
  @IsPlainObject()
  inputs!: Record<string, unknown>;

  @ApiProperty({
    oneOf: [{ type: 'object', additionalProperties: true }, { type: 'string' }],
    example: { answer: '4' },
  })
  @IsObjectOrString()
  outputs!: Record<string, unknown> | string;
}

/** Which model runs the prompt. Providers and their parameters are checked when it runs. */
export class ModelConfigDto {
  @ApiProperty({ example: 'openai' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  provider!: string;

  @ApiProperty({ example: 'gpt-4o-mini' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  model!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { temperature: 0.2, max_tokens: 512 },
  })
  @Optional()
  @IsPlainObject()
  parameters?: Record<string, unknown>;
}
