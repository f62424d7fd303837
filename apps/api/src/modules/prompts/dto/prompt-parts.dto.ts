import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { PROVIDER_IDS } from '@ps/llm';
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
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { question: '2+2?' },
    description: "Free-form: the example's inputs by template variable.",
  })
  @IsPlainObject()
  inputs!: Record<string, unknown>;

  @ApiProperty({
    oneOf: [
      {
        type: 'object',
        additionalProperties: true,
        description: "Free-form: the example's output fields.",
      },
      { type: 'string' },
    ],
    example: { answer: '4' },
  })
  @IsObjectOrString()
  outputs!: Record<string, unknown> | string;
}

/** The name of the model parameters schema in the document's components (built from libs/llm). */
export const MODEL_PARAMETERS = 'ModelParameters';

/** Which model runs the prompt. Providers and their parameters are checked when it runs. */
export class ModelConfigDto {
  @ApiProperty({ example: 'openai', enum: PROVIDER_IDS, description: 'See GET /providers/list.' })
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
    allOf: [{ $ref: getSchemaPath(MODEL_PARAMETERS) }],
    example: { temperature: 0.2, max_tokens: 512 },
    description:
      'Sampling parameters; which ones a provider accepts, and their ranges, are checked per ' +
      'provider (400 naming parameters.<name>).',
  })
  @Optional()
  @IsPlainObject()
  parameters?: Record<string, unknown>;
}
