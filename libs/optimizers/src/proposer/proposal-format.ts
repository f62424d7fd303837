import type { ChatMessage } from '@ps/common';
import { templateVariables } from '@ps/common';
import type { Evidence, ProposalRequest, ProposerOp } from '../types';

/**
 * The proposer contract (PROPOSER.md): one renderer for every operation, one parser for every
 * answer. Strategies never write proposer prompts or read proposer answers themselves.
 */

export const PROPOSER_OPS: readonly ProposerOp[] = [
  'reflect',
  'critique',
  'apply_critique',
  'propose_grounded',
  'mutate',
  'crossover',
  'paraphrase',
  'summarize_data',
];

/** Operations answered with texts in <critique> blocks rather than prompts. */
const TEXT_OPS: ReadonlySet<ProposerOp> = new Set(['critique', 'summarize_data']);

/** The block an operation's answer comes in. */
export function answerTag(op: ProposerOp): 'prompt' | 'critique' {
  return TEXT_OPS.has(op) ? 'critique' : 'prompt';
}

const TASKS: Record<ProposerOp, string> = {
  reflect:
    'The examples show cases where the current prompt fell short, with what the model answered, ' +
    'what was expected and the metric feedback. Work out what the prompt is missing (a rule, a ' +
    'definition, an output format) and write an improved prompt that fixes these failures without ' +
    'breaking what already works.',
  critique:
    'Criticise the current prompt in the light of the examples: name the concrete, general ' +
    'changes that would make the model produce the expected outputs.',
  apply_critique:
    'Rewrite the current prompt so that it applies the critique given in the context section.',
  propose_grounded:
    'Write a new instruction for this task, grounded in the data summary and signature in the ' +
    'context section and the demonstrations in the examples section. State what the task is and ' +
    'every rule the expected outputs follow.',
  mutate:
    'Write a variant of the current prompt that changes one aspect of it (wording, a rule, the ' +
    'output format, emphasis) so that it does better on the examples.',
  crossover:
    'Combine the current prompt and the other prompt into one prompt that keeps the strengths ' +
    'of both.',
  paraphrase: 'Rephrase the current prompt, keeping its meaning and every rule it states.',
  summarize_data:
    'Summarise the examples: what the task is, what the inputs look like, what the expected ' +
    'outputs look like, and any rules or patterns the expected outputs follow.',
};

// The system message names the sections without writing their tags, so that a reader looking
// for the first <current_prompt> or <examples> tag finds the request's own sections.
const SYSTEM =
  'You improve prompts for a language model. The request names an operation (op), shows the ' +
  'prompt being improved (current_prompt), and may add context and evidence (examples: records ' +
  'of Input, Output, Expected, Score and Feedback lines, separated by a blank line). Follow the ' +
  'format section exactly: write each prompt inside a prompt block and each critique or summary ' +
  'inside a critique block, and keep every template variable such as {name} exactly as written.';

/** A value on one record line: blank lines dropped, continuation lines indented by two spaces. */
function fieldValue(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('\n  ');
}

function formatScore(score: number): string {
  return Number.isFinite(score) ? score.toFixed(2) : '0.00';
}

/** Evidence as records of Input/Output/Expected/Score/Feedback lines, one blank line apart. */
export function formatEvidence(examples: readonly Evidence[]): string {
  return examples
    .map((e) =>
      [
        `Input: ${fieldValue(e.input)}`,
        `Output: ${fieldValue(e.output)}`,
        `Expected: ${fieldValue(e.expected)}`,
        `Score: ${formatScore(e.score)}`,
        `Feedback: ${fieldValue(e.feedback)}`,
      ].join('\n'),
    )
    .join('\n\n');
}

const FIELD_LINE = /^(Input|Output|Expected|Score|Feedback): ?(.*)$/;

/** Reads records written by formatEvidence (for fakes and the estimate's simulated proposer). */
export function parseEvidence(text: string): Evidence[] {
  const out: Evidence[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    if (block.trim() === '') continue;
    const record: Record<string, string> = {};
    let last: string | null = null;
    for (const line of block.split('\n')) {
      const m = FIELD_LINE.exec(line);
      if (m) {
        last = m[1];
        record[last] = m[2];
      } else if (last && line.startsWith('  ')) {
        record[last] += `\n${line.slice(2)}`;
      }
    }
    out.push({
      input: record.Input ?? '',
      output: record.Output ?? '',
      expected: record.Expected ?? '',
      score: Number(record.Score ?? 0) || 0,
      feedback: record.Feedback ?? '',
    });
  }
  return out;
}

/** The chat messages of a proposal request: the contract's system message, then the request. */
export function renderProposalRequest(request: ProposalRequest): ChatMessage[] {
  const n = Math.max(1, request.n ?? 1);
  const tag = answerTag(request.op);
  const parts: string[] = [`<op>${request.op}</op>`, `<task>${TASKS[request.op]}</task>`];
  parts.push(`<current_prompt>\n${request.currentPrompt}\n</current_prompt>`);
  if (request.otherPrompt !== undefined) {
    parts.push(`<other_prompt>\n${request.otherPrompt}\n</other_prompt>`);
  }
  if (request.context) parts.push(`<context>\n${request.context}\n</context>`);
  if (request.examples?.length) {
    parts.push(`<examples>\n${formatEvidence(request.examples)}\n</examples>`);
  }
  const variables = tag === 'prompt' ? templateVariables(request.currentPrompt) : [];
  const keep = variables.length
    ? ` Every prompt must keep the template variables ${variables.map((v) => `{${v}}`).join(', ')} exactly as written.`
    : '';
  const what = tag === 'prompt' ? (n === 1 ? 'one prompt' : `${n} different prompts`) : 'one text';
  parts.push(
    `<format>Answer with ${what}, each inside <${tag}>...</${tag}>, and nothing else.${keep}</format>`,
  );
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

function section(text: string, name: string): string | undefined {
  // Sections start a line, so a tag quoted inside a sentence is not taken for one.
  const m = new RegExp(`^<${name}>\\n?([\\s\\S]*?)\\n?</${name}>`, 'm').exec(text);
  return m ? m[1] : undefined;
}

/** The request a rendered proposer message stands for (fakes and the estimate read it). */
export function parseProposalRequest(messages: readonly ChatMessage[]): ProposalRequest | null {
  const user = [...messages].reverse().find((m) => m.role === 'user' && m.content.includes('<op>'));
  if (!user) return null;
  const op = section(user.content, 'op') as ProposerOp | undefined;
  if (!op || !PROPOSER_OPS.includes(op)) return null;
  const currentPrompt = section(user.content, 'current_prompt') ?? '';
  const otherPrompt = section(user.content, 'other_prompt');
  const context = section(user.content, 'context');
  const examples = section(user.content, 'examples');
  const format = section(user.content, 'format') ?? '';
  const many = /Answer with (\d+) different prompts/.exec(format);
  return {
    op,
    currentPrompt,
    ...(otherPrompt !== undefined ? { otherPrompt } : {}),
    ...(context !== undefined ? { context } : {}),
    ...(examples !== undefined ? { examples: parseEvidence(examples) } : {}),
    n: many ? Number(many[1]) : 1,
  };
}

export type ProposalParse = { ok: true; texts: string[] } | { ok: false; reason: string };

/**
 * Reads a proposer's answer: the texts of its <prompt> (or, for critique and summarize_data,
 * <critique>) blocks; an answer without any tag is taken whole. Malformed: an empty answer, an
 * unclosed or stray tag, only empty blocks, or (for prompts) every block dropping a template
 * variable the current prompt has. Blocks that drop a variable are left out when others are fine.
 * At most `n` texts are returned, duplicates removed.
 */
export function parseProposalAnswer(text: string, request: ProposalRequest): ProposalParse {
  const tag = answerTag(request.op);
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: 'The answer is empty.' };
  const opens = trimmed.split(`<${tag}>`).length - 1;
  const closes = trimmed.split(`</${tag}>`).length - 1;
  if (opens !== closes) {
    return { ok: false, reason: `The answer has ${opens} <${tag}> and ${closes} </${tag}> tags.` };
  }
  let blocks: string[];
  if (opens === 0) {
    blocks = [trimmed];
  } else {
    blocks = [...trimmed.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) =>
      m[1].trim(),
    );
    if (blocks.length !== opens) {
      return { ok: false, reason: `The <${tag}> blocks are nested or out of order.` };
    }
  }
  blocks = blocks.filter((b) => b !== '');
  if (blocks.length === 0) return { ok: false, reason: `Every <${tag}> block is empty.` };

  if (tag === 'prompt') {
    const required = templateVariables(request.currentPrompt);
    const missingOf = (b: string) => {
      const has = new Set(templateVariables(b));
      return required.filter((v) => !has.has(v));
    };
    const kept = blocks.filter((b) => missingOf(b).length === 0);
    if (kept.length === 0) {
      const missing = [...new Set(blocks.flatMap(missingOf))];
      return {
        ok: false,
        reason: `The prompt drops the template variable${missing.length > 1 ? 's' : ''} ${missing.map((v) => `{${v}}`).join(', ')}.`,
      };
    }
    blocks = kept;
  }
  const unique = [...new Set(blocks)];
  return { ok: true, texts: unique.slice(0, Math.max(1, request.n ?? 1)) };
}
