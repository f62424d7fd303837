import { Injectable } from '@nestjs/common';
import { ApiConfig } from '@ps/config';
import {
  canonicalJson,
  type FieldError,
  NotFoundError,
  type Page,
  type PageRequest,
  parseSort,
  renderPrompt,
  toPage,
  validateFields,
  ValidationFailedError,
} from '@ps/common';
import {
  type NewVersion,
  type PromptEntity,
  PromptsRepository,
  type PromptVersionEntity,
} from '@ps/database';
import {
  CallFailedError,
  type EngineModelConfig,
  llmChatPort,
  renderCase,
  subjectOf,
} from '@ps/evaluation';
import { LlmClient, llmErrorToDomain, type ModelConfig } from '@ps/llm';
import type { Actor } from '../../http/actor';
import { requireChanges } from '../../http/dto/require-changes';
import { pageRequest } from '../../http/dto/page-query.dto';
import { ProjectsService } from '../projects/projects.service';
import { SignaturesService } from '../signatures/signatures.service';
import type {
  CreatePromptDto,
  PromptVersionFieldsDto,
  UpdatePromptDto,
} from './dto/create-prompt.dto';
import type {
  ListPromptsQueryDto,
  ListVersionsQueryDto,
  ExecutePromptDto,
  PreviewPromptDto,
  PromptDraftDto,
  RevertPromptDto,
} from './dto/prompt-actions.dto';
import type {
  PromptExecutionResponseDto,
  PromptPreviewResponseDto,
  PromptResponseDto,
  PromptVersionResponseDto,
} from './dto/prompt-response.dto';
import { toPromptResponse, toPromptVersionResponse } from './prompt.mapper';

const VERSION_FIELDS = [
  'system_prompt',
  'user_prompt',
  'content',
  'few_shot_examples',
  'model_config',
] as const;

/** The text to render: the version's, with what an unsaved draft replaces. */
function textOf(version: PromptVersionEntity, draft: PromptDraftDto | undefined) {
  return {
    systemPrompt: draft?.system_prompt !== undefined ? draft.system_prompt : version.systemPrompt,
    userPrompt: draft?.user_prompt ?? version.userPrompt,
    fewShotExamples: draft?.few_shot_examples ?? version.fewShotExamples,
  };
}

@Injectable()
export class PromptsService {
  constructor(
    private readonly prompts: PromptsRepository,
    private readonly projects: ProjectsService,
    private readonly signatures: SignaturesService,
    private readonly config: ApiConfig,
    private readonly llm: LlmClient,
  ) {}

  private async requirePrompt(actor: Actor, id: number): Promise<PromptEntity> {
    const prompt = await this.prompts.findLive(actor.workspaceId, id);
    if (!prompt) throw new NotFoundError('Prompt', id);
    return prompt;
  }

  private async currentVersion(prompt: PromptEntity): Promise<PromptVersionEntity> {
    const version = prompt.currentVersionId
      ? await this.prompts.findVersionById(prompt.currentVersionId)
      : null;
    if (!version) throw new Error(`Prompt ${prompt.id} has no current version.`);
    return version;
  }

  /** user_prompt and its alias content must agree; prompt text is capped by MAX_PROMPT_CHARS. */
  private checkVersionFields(dto: PromptVersionFieldsDto): string | undefined {
    const errors: FieldError[] = [];
    if (
      dto.user_prompt !== undefined &&
      dto.content !== undefined &&
      dto.user_prompt !== dto.content
    ) {
      errors.push({
        field: 'content',
        message: 'content is an alias of user_prompt; send one of them.',
      });
    }
    const max = this.config.env.MAX_PROMPT_CHARS;
    for (const field of ['system_prompt', 'user_prompt', 'content'] as const) {
      const value = dto[field];
      if (typeof value === 'string' && value.length > max) {
        errors.push({
          field,
          message: `${field} must be at most ${max} characters (got ${value.length}).`,
        });
      }
    }
    if (errors.length) throw new ValidationFailedError(errors);
    return dto.user_prompt ?? dto.content;
  }

  private async checkSignature(actor: Actor, projectId: number, signatureId: number) {
    const signature = await this.signatures.requireSignature(actor, signatureId, 'signature_id');
    if (signature.projectId !== projectId) {
      throw new ValidationFailedError([
        { field: 'signature_id', message: `Signature ${signatureId} belongs to another project.` },
      ]);
    }
    return signature;
  }

  async create(actor: Actor, dto: CreatePromptDto): Promise<PromptResponseDto> {
    const userPrompt = this.checkVersionFields(dto);
    if (userPrompt === undefined) {
      throw new ValidationFailedError([
        { field: 'user_prompt', message: 'user_prompt is required.' },
      ]);
    }
    const project = await this.projects.requireProject(actor, dto.project_id, 'project_id');
    if (dto.signature_id) await this.checkSignature(actor, project.id, dto.signature_id);
    const { prompt, version } = await this.prompts.createWithFirstVersion(
      {
        projectId: project.id,
        name: dto.name,
        description: dto.description ?? null,
        signatureId: dto.signature_id ?? null,
      },
      {
        systemPrompt: dto.system_prompt ?? null,
        userPrompt,
        fewShotExamples: dto.few_shot_examples ?? [],
        modelConfig: (dto.model_config as Record<string, unknown> | null | undefined) ?? null,
        changeDescription: dto.change_description ?? 'Initial version',
        source: 'manual',
      },
    );
    return toPromptResponse(prompt, version);
  }

  async list(
    actor: Actor,
    query: ListPromptsQueryDto,
    page: PageRequest,
  ): Promise<Page<PromptResponseDto>> {
    const project = await this.projects.requireProject(actor, query.project_id, 'project_id');
    const { rows, total } = await this.prompts.list(
      project.id,
      {
        search: query.search,
        signatureId: query.signature_id,
        sort: parseSort<'name' | 'created_at' | 'updated_at'>(query.sort, '-updated_at'),
      },
      page,
    );
    return toPage(rows, total, page, (r) => toPromptResponse(r.prompt, r.version));
  }

  async get(actor: Actor, id: number): Promise<PromptResponseDto> {
    const prompt = await this.requirePrompt(actor, id);
    return toPromptResponse(prompt, await this.currentVersion(prompt));
  }

  /**
   * Metadata (name, description, signature) changes in place; any change to the prompt's content
   * becomes a new immutable version. Sending content identical to the current version makes no
   * new version.
   */
  async update(actor: Actor, id: number, dto: UpdatePromptDto): Promise<PromptResponseDto> {
    requireChanges(dto);
    const userPrompt = this.checkVersionFields(dto);
    let prompt = await this.requirePrompt(actor, id);
    if (dto.signature_id) await this.checkSignature(actor, prompt.projectId, dto.signature_id);

    const metadata: Partial<PromptEntity> = {
      ...(dto.name !== undefined ? { name: dto.name } : {}),
      ...(dto.description !== undefined ? { description: dto.description } : {}),
      ...(dto.signature_id !== undefined ? { signatureId: dto.signature_id } : {}),
    };
    if (Object.keys(metadata).length) prompt = await this.prompts.update(prompt, metadata);

    const current = await this.currentVersion(prompt);
    if (!VERSION_FIELDS.some((f) => dto[f] !== undefined)) return toPromptResponse(prompt, current);

    const next: NewVersion = {
      systemPrompt: dto.system_prompt !== undefined ? dto.system_prompt : current.systemPrompt,
      userPrompt: userPrompt ?? current.userPrompt,
      fewShotExamples: dto.few_shot_examples ?? current.fewShotExamples,
      modelConfig:
        dto.model_config !== undefined
          ? (dto.model_config as Record<string, unknown> | null)
          : current.modelConfig,
      changeDescription: dto.change_description ?? null,
      source: 'manual',
    };
    const unchanged =
      next.systemPrompt === current.systemPrompt &&
      next.userPrompt === current.userPrompt &&
      canonicalJson(next.fewShotExamples) === canonicalJson(current.fewShotExamples) &&
      canonicalJson(next.modelConfig) === canonicalJson(current.modelConfig);
    if (unchanged) return toPromptResponse(prompt, current);

    const { version } = await this.prompts.addVersion(prompt.id, next);
    return toPromptResponse(await this.requirePrompt(actor, id), version);
  }

  async listVersions(
    actor: Actor,
    id: number,
    query: ListVersionsQueryDto,
  ): Promise<Page<PromptVersionResponseDto>> {
    const prompt = await this.requirePrompt(actor, id);
    const page = pageRequest(query);
    const { rows, total } = await this.prompts.listVersions(
      prompt.id,
      page,
      query.order === 'asc' ? 'ASC' : 'DESC',
    );
    return toPage(rows, total, page, toPromptVersionResponse);
  }

  private async requireVersion(prompt: PromptEntity, versionNumber: number, field: string) {
    const version = await this.prompts.findVersion(prompt.id, versionNumber);
    if (!version) {
      throw new NotFoundError(`Version ${versionNumber} of prompt`, prompt.id, field);
    }
    return version;
  }

  async getVersion(
    actor: Actor,
    id: number,
    versionNumber: number,
  ): Promise<PromptVersionResponseDto> {
    const prompt = await this.requirePrompt(actor, id);
    return toPromptVersionResponse(await this.requireVersion(prompt, versionNumber, 'version'));
  }

  /** Copies an older version into a new current version; history is never rewritten. */
  async revert(actor: Actor, id: number, dto: RevertPromptDto): Promise<PromptResponseDto> {
    const prompt = await this.requirePrompt(actor, id);
    const target = await this.requireVersion(prompt, dto.version, 'version');
    const { version } = await this.prompts.addVersion(prompt.id, {
      systemPrompt: target.systemPrompt,
      userPrompt: target.userPrompt,
      fewShotExamples: target.fewShotExamples,
      modelConfig: target.modelConfig,
      changeDescription: dto.change_description ?? `Reverted to version ${target.versionNumber}`,
      source: 'revert',
    });
    return toPromptResponse(await this.requirePrompt(actor, id), version);
  }

  async preview(
    actor: Actor,
    id: number,
    dto: PreviewPromptDto,
  ): Promise<PromptPreviewResponseDto> {
    const prompt = await this.requirePrompt(actor, id);
    const version = dto.version
      ? await this.requireVersion(prompt, dto.version, 'version')
      : await this.currentVersion(prompt);
    const inputs = dto.inputs ?? {};
    const rendered = renderPrompt(textOf(version, dto.draft), inputs);
    const signature = prompt.signatureId
      ? await this.signatures.requireSignature(actor, prompt.signatureId).catch(() => null)
      : null;
    return {
      version_number: version.versionNumber,
      system_prompt: rendered.systemPrompt,
      user_prompt: rendered.userPrompt,
      messages: rendered.messages,
      variables: rendered.variables,
      missing_variables: rendered.missingVariables,
      unused_inputs: rendered.unusedInputs,
      input_errors: signature ? validateFields(signature.inputSchema, inputs, 'inputs').errors : [],
    };
  }

  /** Renders a version with inputs and runs it once on a model through the LLM layer. */
  async execute(
    actor: Actor,
    id: number,
    dto: ExecutePromptDto,
    onToken?: (text: string) => void,
  ): Promise<PromptExecutionResponseDto> {
    const prompt = await this.requirePrompt(actor, id);
    const version = dto.version
      ? await this.requireVersion(prompt, dto.version, 'version')
      : await this.currentVersion(prompt);
    const requested = dto.model_config ?? version.modelConfig;
    if (!requested) {
      throw new ValidationFailedError([
        {
          field: 'model_config',
          message: 'The version has no model_config; send one (see GET /providers/list).',
        },
      ]);
    }
    const inputs = dto.inputs ?? {};
    const signature = prompt.signatureId
      ? await this.signatures.requireSignature(actor, prompt.signatureId).catch(() => null)
      : null;
    if (signature) {
      const { errors } = validateFields(signature.inputSchema, inputs, 'inputs');
      if (errors.length) throw new ValidationFailedError(errors);
    }
    // The engine's render and parse: what an evaluation would send for these inputs, and how it
    // reads the answer. Inputs lacking a template variable are refused, as an evaluation never
    // sends such a case.
    const rendered = renderCase(textOf(version, dto.draft), inputs);
    if (!rendered.ok) {
      throw new ValidationFailedError(
        rendered.missing.map((name) => ({
          field: `inputs.${name}`,
          message: `The prompt uses {${name}}; send a value for it.`,
        })),
      );
    }
    let modelConfig: ModelConfig;
    try {
      modelConfig = this.llm.validate(requested);
    } catch (err) {
      throw llmErrorToDomain(err);
    }
    try {
      const result = await llmChatPort(this.llm)({
        model: modelConfig as EngineModelConfig,
        messages: rendered.messages,
        role: 'task',
        ...(dto.bypass_cache ? { bypassCache: true } : {}),
        ...(onToken ? { onToken } : {}),
      });
      const parsed = signature?.outputSchema.length
        ? subjectOf(result.text, signature.outputSchema, {})
        : null;
      return {
        prompt_id: prompt.id,
        version_number: version.versionNumber,
        draft: dto.draft !== undefined,
        model_config: { ...modelConfig, parameters: { ...modelConfig.parameters } },
        messages: rendered.messages,
        output: result.text,
        parsed_output: parsed?.parsed ?? null,
        parse_errors: parsed?.parseErrors ?? [],
        usage: { ...result.usage, total: result.usage.input + result.usage.output },
        cost: result.unpriced ? null : result.cost,
        latency_ms: result.latencyMs,
        cached: result.cached,
        attempts: result.attempts ?? 0,
        finish_reason: result.finishReason ?? null,
      };
    } catch (err) {
      throw llmErrorToDomain(err instanceof CallFailedError ? err.cause : err);
    }
  }

  async delete(actor: Actor, id: number, permanent: boolean): Promise<void> {
    if (permanent) {
      const prompt = await this.prompts.findAny(actor.workspaceId, id);
      if (!prompt) throw new NotFoundError('Prompt', id);
      await this.prompts.hardDelete(prompt.id);
      return;
    }
    await this.prompts.softDelete((await this.requirePrompt(actor, id)).id);
  }
}
