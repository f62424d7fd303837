/**
 * Reading a proposer request the way the scripted proposer model does (the format is the one
 * libs/optimizers/PROPOSER.md documents): the prompt being improved between `<current_prompt>`
 * tags, evidence records inside `<examples>` (Input/Output/Expected/Score/Feedback lines, records
 * separated by a blank line) and the operation inside `<op>`. Parsing is lenient about everything
 * else, as a model would be.
 */

export interface EvidenceRecord {
  input: string;
  output: string | null;
  expected: string | null;
  score: number | null;
  feedback: string | null;
}

export interface ProposerCall {
  op: string | null;
  currentPrompt: string | null;
  /** The second parent of a crossover, when the request shows one. */
  otherPrompt: string | null;
  examples: EvidenceRecord[];
  /** How many prompts the request asks for (1 when it does not say). */
  n: number;
  /** Every message's text, joined: what the model reads. */
  text: string;
}

const FIELD = /^(Input|Output|Expected|Score|Feedback):[ \t]?(.*)$/;

/** True when the messages are a proposer request rather than a task prompt. */
export function isProposerRequest(text: string): boolean {
  return text.includes('<current_prompt>') || /<op>[^<]*<\/op>/.test(text);
}

export function parseProposerCall(text: string): ProposerCall {
  return {
    op: tagged(text, 'op')[0]?.trim() ?? null,
    currentPrompt: tagged(text, 'current_prompt')[0]?.replace(/^\n|\n$/g, '') ?? null,
    otherPrompt:
      ['other_prompt', 'second_prompt', 'parent_b', 'prompt_b']
        .map((tag) => tagged(text, tag)[0])
        .find((t) => t !== undefined)
        ?.replace(/^\n|\n$/g, '') ?? null,
    examples: tagged(text, 'examples').flatMap(parseRecords),
    n: requestedCount(text),
    text,
  };
}

/** Contents of every `<tag>…</tag>` block, in order. */
export function tagged(text: string, tag: string): string[] {
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g');
  return [...text.matchAll(re)].map((m) => m[1]);
}

export function parseRecords(block: string): EvidenceRecord[] {
  const records: EvidenceRecord[] = [];
  for (const chunk of block.split(/\n[ \t]*\n/)) {
    const fields: Record<string, string> = {};
    let last: string | null = null;
    for (const line of chunk.split('\n')) {
      const m = FIELD.exec(line.trim());
      if (m) {
        last = m[1].toLowerCase();
        fields[last] = m[2];
      } else if (last !== null && line.trim() !== '') {
        fields[last] += `\n${line}`;
      }
    }
    if (fields.input === undefined) {
      // A blank line inside a value: the text belongs to the record before.
      const previous = records.at(-1);
      if (previous && chunk.trim() !== '') previous.input += `\n${chunk}`;
      continue;
    }
    const score = fields.score === undefined ? NaN : Number.parseFloat(fields.score);
    records.push({
      input: fields.input,
      output: fields.output ?? null,
      expected: blankToNull(fields.expected),
      score: Number.isFinite(score) ? score : null,
      feedback: fields.feedback ?? null,
    });
  }
  return records;
}

function blankToNull(value: string | undefined): string | null {
  if (value === undefined) return null;
  const t = value.trim();
  return t === '' || t === '(none)' || t === 'null' || t === '-' ? null : t;
}

/** `<n>3</n>`, or a sentence asking for "3 prompts / variants / candidates". */
function requestedCount(text: string): number {
  const tag = tagged(text, 'n')[0] ?? tagged(text, 'count')[0];
  const fromTag = tag === undefined ? NaN : Number.parseInt(tag, 10);
  if (Number.isInteger(fromTag) && fromTag > 0) return Math.min(fromTag, 20);
  const words: Record<string, number> = { two: 2, three: 3, four: 4, five: 5, six: 6, eight: 8 };
  const m =
    /\b(\d+|two|three|four|five|six|eight)\s+(?:new\s+|different\s+|distinct\s+|alternative\s+|improved\s+|candidate\s+)*(?:prompts|variants|versions|candidates|rewrites|instructions)\b/i.exec(
      text,
    );
  if (!m) return 1;
  const n = words[m[1].toLowerCase()] ?? Number.parseInt(m[1], 10);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 20) : 1;
}

export function promptBlocks(prompts: string[]): string {
  return prompts.map((p) => `<prompt>\n${p}\n</prompt>`).join('\n\n');
}
