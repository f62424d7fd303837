import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, requestIdOf } from '@ps/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { buildProblem } from '../../http/problem';
import { RateLimit, RequirePermission } from '../../auth/permissions';
import { type Actor, CurrentActor } from '../../http/actor';
import { ApiIdempotencyKey } from '../../http/api-idempotency.decorator';
import { ApiProblems } from '../../http/api-problems.decorator';
import { Audited } from '../../http/audit.interceptor';
import { DeleteQueryDto } from '../../http/dto/delete-query.dto';
import { pageRequest } from '../../http/dto/page-query.dto';
import { IdParamPipe, VersionParamPipe } from '../../http/id-param.pipe';
import { Idempotent } from '../../http/idempotency.interceptor';
import { CreatePromptDto, UpdatePromptDto } from './dto/create-prompt.dto';
import {
  ListPromptsQueryDto,
  ExecutePromptDto,
  ListVersionsQueryDto,
  PreviewPromptDto,
  RevertPromptDto,
} from './dto/prompt-actions.dto';
import {
  PromptExecutionResponseDto,
  PromptPageDto,
  PromptPreviewResponseDto,
  PromptResponseDto,
  PromptVersionPageDto,
  PromptVersionResponseDto,
} from './dto/prompt-response.dto';
import { PromptsService } from './prompts.service';
import { ApiBodyExamples } from '../../http/api-body-examples.decorator';
import {
  CREATE_PROMPT_EXAMPLES,
  EXECUTE_PROMPT_EXAMPLES,
  UPDATE_PROMPT_EXAMPLES,
} from '../../openapi/request-examples';

@ApiTags('prompts')
@Controller('prompts')
export class PromptsController {
  constructor(private readonly prompts: PromptsService) {}

  /** Create a prompt with its first version. */
  @Post('create')
  @ApiOperation({
    summary: 'Create a prompt with its first version',
    description:
      'Create a prompt and its version 1. Templates substitute inputs written `{name}` or `{{name}}`; with `signature_id` the signature types its inputs and outputs.',
  })
  @RequirePermission('write')
  @Audited('prompt.create', 'prompt')
  @Idempotent()
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: PromptResponseDto })
  @ApiProblems(401, 403, 404, 409, 413, 415, 422)
  @ApiBodyExamples(CreatePromptDto, CREATE_PROMPT_EXAMPLES)
  createPrompt(@CurrentActor() actor: Actor, @Body() dto: CreatePromptDto) {
    return this.prompts.create(actor, dto);
  }

  /** List the prompts of a project with their current versions. */
  @Get('list')
  @ApiOperation({
    summary: 'List the prompts of a project with their current versions',
    description: 'The prompts of a project, each with its current version.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: PromptPageDto })
  @ApiProblems(401, 403, 404)
  listPrompts(@CurrentActor() actor: Actor, @Query() query: ListPromptsQueryDto) {
    return this.prompts.list(actor, query, pageRequest(query));
  }

  /** Version history, newest first by default. */
  @Get(':id/versions')
  @ApiOperation({
    summary: 'List the versions of a prompt, newest first by default',
    description: 'Version history, newest first by default.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: PromptVersionPageDto })
  @ApiProblems(401, 403, 404)
  listPromptVersions(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: ListVersionsQueryDto,
  ) {
    return this.prompts.listVersions(actor, id, query);
  }

  /** One version by its number. */
  @Get(':id/versions/:version')
  @ApiOperation({
    summary: 'Get a prompt version by its number',
    description: 'One version by its number.',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: PromptVersionResponseDto })
  @ApiProblems(401, 403, 404)
  getPromptVersion(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Param('version', VersionParamPipe) version: number,
  ) {
    return this.prompts.getVersion(actor, id, version);
  }

  /** Make a new current version that copies an older one ("Reverted to version N"). */
  @Post(':id/revert')
  @ApiOperation({
    summary: 'Revert a prompt to an older version',
    description: 'Make a new current version that copies an older one ("Reverted to version N").',
  })
  @RequirePermission('write')
  @Audited('prompt.revert', 'prompt')
  @HttpCode(200)
  @ApiOkResponse({ type: PromptResponseDto })
  @ApiProblems(401, 403, 404)
  revertPrompt(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Body() dto: RevertPromptDto,
  ) {
    return this.prompts.revert(actor, id, dto);
  }

  /** Render a version with inputs, without calling a model; reports missing variables. */
  @Post(':id/preview')
  @ApiOperation({
    summary: 'Render a prompt version without calling a model',
    description:
      'Render a version with inputs, without calling a model; reports missing variables.',
  })
  @RequirePermission('read')
  @HttpCode(200)
  @ApiOkResponse({ type: PromptPreviewResponseDto })
  @ApiProblems(401, 403, 404)
  previewPrompt(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Body() dto: PreviewPromptDto,
  ) {
    return this.prompts.preview(actor, id, dto);
  }

  /**
   * Render a version with inputs and run it once on a model: output, parsed output (when the
   * prompt has a signature), usage, cost and latency. Uses the response cache unless bypassed.
   * With `stream: true` the answer is an event stream of tokens ending in the same result.
   */
  @Post(':id/execute')
  @ApiOperation({
    summary: 'Run a prompt once on a model',
    description:
      'Render a version with inputs and run it once on a model: output, parsed output (when the prompt has a signature), usage, cost and latency. Uses the response cache unless bypassed. With `stream: true` the answer is an event stream of tokens ending in the same result.',
  })
  @RequirePermission('write')
  @RateLimit('evaluate')
  @HttpCode(200)
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ type: PromptExecutionResponseDto })
  @ApiProblems(400, 401, 403, 404, 429, 502, 504)
  @ApiBodyExamples(ExecutePromptDto, EXECUTE_PROMPT_EXAMPLES)
  async executePrompt(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Body() dto: ExecutePromptDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PromptExecutionResponseDto | undefined> {
    if (!dto.stream) return this.prompts.execute(actor, id, dto);
    // Headers go out with the first token, so anything that fails before (validation, a
    // provider error on the first attempt) is still an ordinary problem response.
    const send = (event: string, data: unknown) => {
      if (!res.headersSent) {
        res.status(200).set({
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache',
          'X-Accel-Buffering': 'no',
        });
        res.flushHeaders();
      }
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    try {
      const result = await this.prompts.execute(actor, id, dto, (text) => send('token', { text }));
      if (!res.headersSent) send('token', { text: result.output }); // a cached answer
      send('result', result);
    } catch (err) {
      if (!res.headersSent) throw err;
      const domain = err instanceof DomainError ? err : undefined;
      const code = domain?.code ?? 'internal_error';
      send(
        'error',
        buildProblem(code, domain?.message ?? 'The model call failed.', {
          requestId: requestIdOf(req),
          extra: domain?.extra,
        }),
      );
    }
    res.end();
    return undefined;
  }

  /** Get a prompt with its current version. */
  @Get(':id')
  @ApiOperation({
    summary: 'Get a prompt with its current version',
    description: 'One prompt with its current version (GET /prompts/{id}/versions lists them all).',
  })
  @RequirePermission('read')
  @ApiOkResponse({ type: PromptResponseDto })
  @ApiProblems(401, 403, 404)
  getPrompt(@CurrentActor() actor: Actor, @Param('id', IdParamPipe) id: number) {
    return this.prompts.get(actor, id);
  }

  /** Update a prompt: content changes create a new immutable version. */
  @Put(':id')
  @ApiOperation({
    summary: 'Update a prompt (content changes make a new version)',
    description: 'Update a prompt: content changes create a new immutable version.',
  })
  @RequirePermission('write')
  @Audited('prompt.update', 'prompt')
  @ApiOkResponse({ type: PromptResponseDto })
  @ApiProblems(401, 403, 404, 409, 413, 415)
  @ApiBodyExamples(UpdatePromptDto, UPDATE_PROMPT_EXAMPLES)
  updatePrompt(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Body() dto: UpdatePromptDto,
  ) {
    return this.prompts.update(actor, id, dto);
  }

  /** Soft-delete a prompt, or remove it and its versions with `permanent=true`. */
  @Delete(':id')
  @ApiOperation({
    summary: 'Delete a prompt',
    description: 'Soft-delete a prompt, or remove it and its versions with `permanent=true`.',
  })
  @RequirePermission('delete')
  @Audited('prompt.delete', 'prompt')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(401, 403, 404)
  async deletePrompt(
    @CurrentActor() actor: Actor,
    @Param('id', IdParamPipe) id: number,
    @Query() query: DeleteQueryDto,
  ): Promise<void> {
    await this.prompts.delete(actor, id, query.permanent ?? false);
  }
}
