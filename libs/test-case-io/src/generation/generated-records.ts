import type { GeneratedCase, GenerationStrategy } from './generation-types';

/** How generated cases are stored: unique names and tags that say where they came from. */

/** Names are unique per project among live cases, compared case-insensitively. */
const NAME_MAX = 200;

export const GENERATED_TAG = 'generated';
/** On cases whose expected outputs a model proposed and nobody has checked yet. */
export const UNREVIEWED_TAG = 'unreviewed';

/** The tag every case of one generation job carries (`generation:<job id>`). */
export function generationTag(jobId: number): string {
  return `generation:${jobId}`;
}

export interface GeneratedRecord {
  name: string;
  description: string | null;
  inputs: Record<string, unknown>;
  expectedOutputs: Record<string, unknown>;
  tags: string[];
  isGolden: boolean;
}

export interface RecordOptions {
  strategy: GenerationStrategy;
  isGolden: boolean;
  /** Names already taken in the project (any case). */
  takenNames: Iterable<string>;
  /** Extra tags for every case, such as generationTag(jobId). */
  extraTags?: string[];
}

/**
 * `base`, or `base (2)`, `base (3)`…: the first not in `taken` (lower-cased names), within
 * NAME_MAX characters. The name chosen is added to `taken`.
 */
export function uniqueName(base: string, taken: Set<string>): string {
  const clean = base.replace(/\s+/g, ' ').trim().slice(0, NAME_MAX) || 'generated case';
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : ` (${n})`;
    const name = `${clean.slice(0, NAME_MAX - suffix.length).trimEnd()}${suffix}`;
    if (!taken.has(name.toLowerCase())) {
      taken.add(name.toLowerCase());
      return name;
    }
  }
}

/** The rows to store: names unique in the project and among themselves, tags, golden flag. */
export function toGeneratedRecords(
  cases: GeneratedCase[],
  options: RecordOptions,
): GeneratedRecord[] {
  const taken = new Set([...options.takenNames].map((n) => n.toLowerCase()));
  return cases.map((c) => ({
    name: uniqueName(c.title, taken),
    description: c.description,
    inputs: c.inputs,
    expectedOutputs: c.expectedOutputs ?? {},
    tags: [
      GENERATED_TAG,
      `strategy:${options.strategy}`,
      `kind:${c.category}`,
      ...(options.extraTags ?? []),
      ...(c.expectedOutputs ? [UNREVIEWED_TAG] : []),
    ],
    isGolden: options.isGolden,
  }));
}
