import { useState } from 'react';
import type { FewShotExampleDto, ModelConfigDto } from '../api/studio';
import { ModelConfigEditor } from './model-config-editor';
import { Field } from './ui';

export interface PromptDraft {
  system_prompt: string;
  user_prompt: string;
  few_shot_examples: FewShotExampleDto[];
  model_config: ModelConfigDto | null;
}

/** Parses the few-shot box: a JSON array of {inputs, outputs}. */
export function parseExamples(text: string): FewShotExampleDto[] {
  if (text.trim() === '') return [];
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) throw new Error('Few-shot examples must be a JSON array.');
  value.forEach((e, i) => {
    if (e === null || typeof e !== 'object' || !('inputs' in e) || !('outputs' in e)) {
      throw new Error(`Example ${i + 1} needs "inputs" and "outputs".`);
    }
  });
  return value as FewShotExampleDto[];
}

/**
 * System and user templates, few-shot examples and the model: the content of a prompt version.
 * `{name}` and `{{name}}` in the templates are the variables test cases fill.
 */
export function PromptFields({
  draft,
  onChange,
  errors = {},
  onExamplesError,
}: {
  draft: PromptDraft;
  onChange: (draft: PromptDraft) => void;
  errors?: Record<string, string>;
  onExamplesError?: (message: string | null) => void;
}) {
  const [examples, setExamples] = useState(() =>
    draft.few_shot_examples.length ? JSON.stringify(draft.few_shot_examples, null, 2) : '',
  );
  const [examplesError, setExamplesError] = useState<string | null>(null);
  const applyExamples = (text: string) => {
    setExamples(text);
    try {
      onChange({ ...draft, few_shot_examples: parseExamples(text) });
      setExamplesError(null);
      onExamplesError?.(null);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      setExamplesError(message);
      onExamplesError?.(message);
    }
  };
  return (
    <>
      <Field label="System prompt" error={errors.system_prompt}>
        {(p) => (
          <textarea
            {...p}
            rows={3}
            className="mono"
            value={draft.system_prompt}
            onChange={(e) => onChange({ ...draft, system_prompt: e.target.value })}
          />
        )}
      </Field>
      <Field
        label="User prompt"
        hint="{name} or {{name}} is replaced by the test case's input of that name."
        error={errors.user_prompt ?? errors.content}
      >
        {(p) => (
          <textarea
            {...p}
            rows={5}
            className="mono"
            value={draft.user_prompt}
            onChange={(e) => onChange({ ...draft, user_prompt: e.target.value })}
          />
        )}
      </Field>
      <Field
        label="Few-shot examples (JSON)"
        hint='An array of {"inputs": {...}, "outputs": {...} or "text"}; empty for none.'
        error={examplesError ?? errors.few_shot_examples}
      >
        {(p) => (
          <textarea
            {...p}
            rows={3}
            className="mono"
            value={examples}
            onChange={(e) => applyExamples(e.target.value)}
          />
        )}
      </Field>
      <ModelConfigEditor
        value={draft.model_config}
        onChange={(model_config) => onChange({ ...draft, model_config })}
        allowDefault="No model (choose one per run)"
      />
      {errors.model_config || errors['model_config.model'] ? (
        <p className="field-error">{errors.model_config ?? errors['model_config.model']}</p>
      ) : null}
    </>
  );
}
