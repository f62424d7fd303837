import type { SignatureFieldSpec } from '@ps/common';

/**
 * Test-case generation: what is asked for and what comes back. Plain TypeScript (no Nest, no
 * database, no LLM client), so the API, the generation job and the tests share one definition.
 */

/** How the cases are chosen. */
export const GENERATION_STRATEGIES = [
  'diverse',
  'edge_cases',
  'from_description',
  'from_examples',
] as const;
export type GenerationStrategy = (typeof GENERATION_STRATEGIES)[number];

/** Who writes the cases: a model, or the seeded typed generator (no model calls). */
export const GENERATORS = ['llm', 'deterministic'] as const;
export type Generator = (typeof GENERATORS)[number];

/** What a generated case exercises; each becomes a `kind:<category>` tag. */
export const CASE_CATEGORIES = [
  'typical',
  'edge',
  'boundary',
  'adversarial',
  'minimal',
  'maximal',
  'complex',
] as const;
export type CaseCategory = (typeof CASE_CATEGORIES)[number];

/** Bounds of one generation request. */
export const GENERATION_LIMITS = {
  minCases: 1,
  maxCases: 500,
  /** Cases asked of the model per call. */
  casesPerCall: 10,
  /** Model calls beyond one per batch, for invalid answers and duplicates. */
  extraCalls: 3,
  /** Existing cases shown to the model as few-shot examples (from_examples). */
  maxExamples: 5,
  /** Existing inputs listed to the model as "already covered". */
  maxAvoidListed: 30,
  /** A generated case larger than this (JSON characters) is refused. */
  maxCaseChars: 50_000,
  descriptionMaxLength: 10_000,
} as const;

/** The most model calls a request for `numCases` may make: one per batch of 10, plus 3. */
export function maxModelCalls(numCases: number): number {
  return Math.ceil(numCases / GENERATION_LIMITS.casesPerCall) + GENERATION_LIMITS.extraCalls;
}

/** An existing case of the project: few-shot example (from_examples) and dedupe reference. */
export interface ExistingCase {
  name: string;
  inputs: Record<string, unknown>;
  expectedOutputs: Record<string, unknown>;
  isGolden: boolean;
}

/** What the generated cases are for: the task the prompt performs, as far as it is known. */
export interface GenerationTask {
  /** The signature's instruction. */
  instruction?: string | null;
  systemPrompt?: string | null;
  userPrompt?: string | null;
}

export interface GenerationRequest {
  strategy: GenerationStrategy;
  numCases: number;
  /** The inputs every case must fill (from the signature, the prompt's variables or examples). */
  inputFields: SignatureFieldSpec[];
  /**
   * Paths the prompt reads inside object inputs (templatePaths): generated objects hold them.
   */
  objectPaths?: Record<string, string[]>;
  /** Output fields expected values must fit; null: any non-empty object. */
  outputFields: SignatureFieldSpec[] | null;
  /** Ask for expected outputs too (models only). */
  withExpected: boolean;
  description?: string | null;
  task?: GenerationTask;
  /** The project's live cases, golden first: examples and the dedupe reference. */
  existing: ExistingCase[];
  /** Seeds the typed generator (and orders its choices); the same seed gives the same cases. */
  seed: number;
}

/** One generated case, valid against the fields, not yet named uniquely. */
export interface GeneratedCase {
  /** A short title, as proposed (may repeat; made unique when stored). */
  title: string;
  description: string | null;
  category: CaseCategory;
  inputs: Record<string, unknown>;
  /** Proposed by the model (with_expected), unreviewed; null otherwise. */
  expectedOutputs: Record<string, unknown> | null;
}

/** Why proposed cases were not kept, counted. */
export interface GenerationRejections {
  /** Model answers that were not JSON or had no list of cases. */
  invalid_answers: number;
  /** Cases whose inputs or expected outputs did not fit the fields. */
  invalid_cases: number;
  /** Near-duplicates of an existing case or of one generated earlier. */
  duplicates: number;
}

export type GenerationStop =
  /** Every requested case was generated. */
  | 'done'
  /** The call budget ran out first. */
  | 'budget'
  /** The typed generator found no more distinct valid cases. */
  | 'exhausted'
  | 'cancelled';

export interface GenerationOutcome {
  generator: Generator;
  cases: GeneratedCase[];
  /** Model calls made (0 for the typed generator). */
  calls: number;
  maxCalls: number;
  tokens: { input: number; output: number };
  cost: number;
  rejected: GenerationRejections;
  /** The first few reasons for rejections, for people. */
  problems: string[];
  stopped: GenerationStop;
}

/** At most this many problem messages are kept. */
export const MAX_PROBLEMS = 10;

export function emptyRejections(): GenerationRejections {
  return { invalid_answers: 0, invalid_cases: 0, duplicates: 0 };
}
