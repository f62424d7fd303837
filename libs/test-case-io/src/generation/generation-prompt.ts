import { type ChatMessage, fieldsToJsonSchema, type SignatureFieldSpec } from '@ps/common';
import { type ExistingCase, GENERATION_LIMITS, type GenerationRequest } from './generation-types';

/**
 * The messages that ask a model for test cases, and the one that asks again after an unusable
 * answer. The answer format is one JSON object, `{"cases": [...]}`, read by
 * parseGenerationAnswer (generation-response.ts).
 */

const TEMPLATE_CHARS = 6_000;
const EXAMPLE_CHARS = 1_500;
const AVOID_CHARS = 200;

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;

const SYSTEM = [
  'You write test cases for a task performed by a prompt. A test case is a set of input values',
  'for the task, and, when asked, the output the task should produce for them.',
  '',
  'Answer with one JSON object and nothing else, shaped as:',
  '{"cases": [{"name": "short title", "category": "typical|edge|boundary|adversarial",',
  '  "description": "what the case checks", "inputs": {...}, "expected_outputs": {...}}]}',
  '',
  'Rules: `inputs` has exactly the input fields listed, each value of its JSON type (a string',
  'is a JSON string, an integer a JSON number without fraction, and so on); required fields are',
  'always present; no other fields. Cases differ from each other and from the cases listed as',
  'already covered, not only in wording.',
].join('\n');

const STRATEGY_TEXT: Record<GenerationRequest['strategy'], string> = {
  diverse:
    'Cover the space of inputs: mostly typical, realistic inputs of varied length, topic, tone ' +
    'and language, plus edge cases (empty or unusual values), boundary values (very short or ' +
    'long text, limits of numbers) and adversarial inputs (prompt injection, misleading or ' +
    'malformed-looking content). Spread the categories across the cases.',
  edge_cases:
    'Focus on edge, boundary and adversarial inputs: empty or whitespace values, extreme lengths ' +
    'and numbers, unusual characters and scripts, ambiguous or contradictory content, and ' +
    'attempts to make the task misbehave. Every value still has its field’s type.',
  from_description: 'Write cases that fit the description below.',
  from_examples:
    'Write new cases in the domain and style of the examples below, covering situations they ' +
    'miss (typical, edge, boundary and adversarial). Do not copy them.',
};

function fieldLines(fields: SignatureFieldSpec[]): string {
  return fields
    .map(
      (f) =>
        `- ${f.name} (${f.type}, ${f.required ? 'required' : 'optional'})` +
        (f.description ? `: ${f.description}` : ''),
    )
    .join('\n');
}

function exampleLine(example: ExistingCase, withExpected: boolean): string {
  const shown = withExpected
    ? { inputs: example.inputs, expected_outputs: example.expectedOutputs }
    : { inputs: example.inputs };
  return `- ${clip(JSON.stringify(shown), EXAMPLE_CHARS)}`;
}

export interface BatchAsk {
  /** Cases wanted from this call. */
  count: number;
  /** 1-based call number (also keeps repeated asks apart in the response cache). */
  call: number;
  /** Inputs already covered, most relevant first; listed up to GENERATION_LIMITS.maxAvoidListed. */
  covered: Record<string, unknown>[];
}

/** The messages of one call asking for `ask.count` cases. */
export function generationMessages(request: GenerationRequest, ask: BatchAsk): ChatMessage[] {
  const parts: string[] = [];
  const task = request.task ?? {};
  const taskLines = [
    task.instruction ? `Instruction: ${clip(task.instruction, TEMPLATE_CHARS)}` : '',
    task.systemPrompt ? `System prompt template:\n${clip(task.systemPrompt, TEMPLATE_CHARS)}` : '',
    task.userPrompt ? `User prompt template:\n${clip(task.userPrompt, TEMPLATE_CHARS)}` : '',
  ].filter(Boolean);
  if (taskLines.length) parts.push(`## Task\n${taskLines.join('\n\n')}`);

  parts.push(
    `## Input fields\n${fieldLines(request.inputFields)}\n\nJSON Schema of "inputs": ` +
      JSON.stringify({ ...fieldsToJsonSchema(request.inputFields), additionalProperties: false }),
  );

  if (request.withExpected) {
    parts.push(
      request.outputFields
        ? `## Expected outputs\nGive "expected_outputs" with these fields, the output a correct ` +
            `answer has:\n${fieldLines(request.outputFields)}`
        : '## Expected outputs\nGive "expected_outputs": an object with the output a correct ' +
            'answer has (the same field names in every case, for example {"response": "..."}).',
    );
  } else {
    parts.push('## Expected outputs\nLeave "expected_outputs" out.');
  }

  const guidance = [STRATEGY_TEXT[request.strategy]];
  if (request.description) {
    guidance.push(
      `${request.strategy === 'from_description' ? 'Description' : 'Also keep in mind'}:\n` +
        request.description,
    );
  }
  parts.push(`## What to write\n${guidance.join('\n\n')}`);

  if (request.strategy === 'from_examples') {
    const examples = request.existing.slice(0, GENERATION_LIMITS.maxExamples);
    parts.push(
      `## Examples\n${examples.map((e) => exampleLine(e, request.withExpected)).join('\n')}`,
    );
  }

  const covered = ask.covered.slice(0, GENERATION_LIMITS.maxAvoidListed);
  if (covered.length) {
    parts.push(
      `## Already covered (do not repeat or paraphrase)\n` +
        covered.map((c) => `- ${clip(JSON.stringify(c), AVOID_CHARS)}`).join('\n'),
    );
  }

  parts.push(
    `Write exactly ${ask.count} new case${ask.count === 1 ? '' : 's'} (request ${ask.call}). ` +
      'Answer with the JSON object only.',
  );
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/** The follow-up after an answer that could not be used: the answer, then what was wrong. */
export function retryMessages(
  asked: ChatMessage[],
  answer: string,
  problems: string[],
): ChatMessage[] {
  return [
    ...asked,
    { role: 'assistant', content: clip(answer, 4_000) },
    {
      role: 'user',
      content:
        `That answer could not be used: ${problems.slice(0, 5).join(' ')} ` +
        'Answer again with only the JSON object {"cases": [...]}, following the rules.',
    },
  ];
}
