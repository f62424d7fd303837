import { renderTemplate } from './prompt-template';

export interface FewShotExample {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | string;
}

export interface PromptParts {
  systemPrompt: string | null;
  userPrompt: string;
  fewShotExamples: FewShotExample[];
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface RenderedPrompt {
  systemPrompt: string | null;
  userPrompt: string;
  messages: ChatMessage[];
  variables: string[];
  missingVariables: string[];
  unusedInputs: string[];
}

function exampleOutput(outputs: FewShotExample['outputs']): string {
  return typeof outputs === 'string' ? outputs : JSON.stringify(outputs);
}

/**
 * Renders a prompt version into chat messages: system prompt, then each few-shot example as a
 * user/assistant pair rendered with the example's own inputs, then the user prompt.
 */
export function renderPrompt(parts: PromptParts, inputs: Record<string, unknown>): RenderedPrompt {
  const system = parts.systemPrompt ? renderTemplate(parts.systemPrompt, inputs) : null;
  const user = renderTemplate(parts.userPrompt, inputs);
  const messages: ChatMessage[] = [];
  if (system) messages.push({ role: 'system', content: system.text });
  for (const example of parts.fewShotExamples) {
    messages.push({ role: 'user', content: renderTemplate(parts.userPrompt, example.inputs).text });
    messages.push({ role: 'assistant', content: exampleOutput(example.outputs) });
  }
  messages.push({ role: 'user', content: user.text });

  const variables = [...new Set([...(system?.variables ?? []), ...user.variables])];
  const missingVariables = [...new Set([...(system?.missing ?? []), ...user.missing])];
  const roots = new Set(variables.map((v) => v.split('.')[0]));
  const unusedInputs = Object.keys(inputs).filter((key) => !roots.has(key));
  return {
    systemPrompt: system?.text ?? null,
    userPrompt: user.text,
    messages,
    variables,
    missingVariables,
    unusedInputs,
  };
}
