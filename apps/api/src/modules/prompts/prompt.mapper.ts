import { templateVariables } from '@ps/common';
import type { PromptEntity, PromptVersionEntity } from '@ps/database';
import type { ModelConfigDto } from './dto/prompt-parts.dto';
import type { PromptResponseDto, PromptVersionResponseDto } from './dto/prompt-response.dto';

export function toPromptVersionResponse(version: PromptVersionEntity): PromptVersionResponseDto {
  return {
    id: version.id,
    uuid: version.uuid,
    prompt_id: version.promptId,
    version_number: version.versionNumber,
    system_prompt: version.systemPrompt,
    user_prompt: version.userPrompt,
    few_shot_examples: version.fewShotExamples,
    model_config: version.modelConfig as ModelConfigDto | null,
    parent_version_id: version.parentVersionId,
    change_description: version.changeDescription,
    source: version.source,
    optimization_id: version.optimizationId,
    variables: [
      ...new Set([
        ...templateVariables(version.systemPrompt ?? ''),
        ...templateVariables(version.userPrompt),
      ]),
    ],
    created_at: version.createdAt.toISOString(),
  };
}

export function toPromptResponse(
  prompt: PromptEntity,
  version: PromptVersionEntity,
): PromptResponseDto {
  return {
    id: prompt.id,
    uuid: prompt.uuid,
    project_id: prompt.projectId,
    name: prompt.name,
    description: prompt.description,
    signature_id: prompt.signatureId,
    current_version: toPromptVersionResponse(version),
    created_at: prompt.createdAt.toISOString(),
    updated_at: prompt.updatedAt.toISOString(),
  };
}
