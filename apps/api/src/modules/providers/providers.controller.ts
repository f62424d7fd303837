import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { LlmClient } from '@ps/llm';
import { RequirePermission } from '../../auth/permissions';
import { ApiProblems } from '../../http/api-problems.decorator';

class ProviderSupportsDto {
  @ApiProperty() streaming!: boolean;
  @ApiProperty() json!: boolean;
  @ApiProperty() embeddings!: boolean;
}

class ProviderDto {
  @ApiProperty({ example: 'openai' }) id!: string;
  @ApiProperty({ example: 'OpenAI' }) label!: string;
  @ApiProperty({ example: 'openai', description: 'Wire protocol family.' }) protocol!: string;
  @ApiProperty({ description: 'True when the provider can be used now.' }) configured!: boolean;
  @ApiProperty({ description: 'Whether an API key is set; the key itself is never shown.' })
  key_present!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'set OPENAI_API_KEY' })
  missing!: string | null;
  @ApiProperty({ example: 'https://api.openai.com/v1' }) base_url!: string;
  @ApiProperty({ type: [String] }) models!: string[];
  @ApiProperty({ description: 'Model names outside `models` are accepted too.' })
  any_model!: boolean;
  @ApiProperty({ type: [String] }) embedding_models!: string[];
  @ApiProperty({ type: [String], description: 'Accepted keys of model_config.parameters.' })
  parameters!: string[];
  @ApiProperty({ type: ProviderSupportsDto }) supports!: ProviderSupportsDto;
}

class ProviderListDto {
  @ApiProperty({ type: [ProviderDto] }) items!: ProviderDto[];
}

@ApiTags('providers')
@Controller('providers')
export class ProvidersController {
  constructor(private readonly llm: LlmClient) {}

  /** Every provider with its models and whether it is configured; never an API key. */
  @Get('list')
  @ApiOperation({
    summary: 'List the model providers',
    description: 'Every provider with its models and whether it is configured; never an API key.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: ProviderListDto })
  @ApiProblems()
  listProviders(): ProviderListDto {
    return { items: this.llm.providers() };
  }
}
