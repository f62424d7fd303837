import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
import { Audited } from '../../http/audit.interceptor';
import { pageRequest } from '../../http/dto/page-query.dto';
import { IdParamPipe } from '../../http/id-param.pipe';
import { Idempotent } from '../../http/idempotency.interceptor';
import { ApiKeysService } from './api-keys.service';
import {
  ApiKeyPageDto,
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
  ListApiKeysQueryDto,
} from './dto/api-key.dto';
import { ApiBodyExamples } from '../../http/api-body-examples.decorator';
import { CREATE_API_KEY_EXAMPLES } from '../../openapi/request-examples';

@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** Create an API key; the response is the only time the key is shown. */
  @Post('create')
  @ApiOperation({
    summary: 'Create an API key',
    description: 'Create an API key; the response is the only time the key is shown.',
  })
  @RequirePermission('manage')
  @Audited('api_key.create', 'api_key')
  @Idempotent()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  @ApiProblems(401, 403, 404, 422)
  @ApiBodyExamples(CreateApiKeyDto, CREATE_API_KEY_EXAMPLES)
  createApiKey(@CurrentActor() actor: Actor, @Body() dto: CreateApiKeyDto) {
    return this.keys.create(actor, dto);
  }

  /** List the workspace's API keys (never the keys themselves). */
  @Get('list')
  @ApiOperation({
    summary: "List the workspace's API keys",
    description: "List the workspace's API keys (never the keys themselves).",
  })
  @RequirePermission('manage')
  @ApiOkResponse({ type: ApiKeyPageDto })
  @ApiProblems(401, 403)
  listApiKeys(@CurrentActor() actor: Actor, @Query() query: ListApiKeysQueryDto) {
    return this.keys.list(actor, query, pageRequest(query));
  }

  /** Revoke an API key at once; requests with it fail from now on. */
  @Post(':id/revoke')
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'Revoke an API key at once; requests with it fail from now on.',
  })
  @HttpCode(200)
  @RequirePermission('manage')
  @Audited('api_key.revoke', 'api_key')
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiProblems(401, 403, 404)
  revokeApiKey(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.keys.revoke(actor, id);
  }
}
