import { firstJsonObject } from '@ps/common';
import {
  CASE_CATEGORIES,
  type CaseCategory,
  GENERATION_LIMITS,
  type GeneratedCase,
  type GenerationRequest,
} from './generation-types';
import { checkValues, missingPaths } from './input-fields';

/**
 * Reads a model's answer to generationMessages: one JSON object `{"cases": [...]}` (a bare array
 * of cases, a fenced block or an object amid prose are read too), then each case checked on its
 * own against the fields. Nothing here repairs a value: a case of the wrong shape is refused.
 */

const TITLE_MAX = 120;
const DESCRIPTION_MAX = 1_000;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type AnswerReading = { ok: true; cases: unknown[] } | { ok: false; problem: string };

/** The list of proposed cases in an answer, or why there is none. */
export function parseGenerationAnswer(text: string): AnswerReading {
  const trimmed = text.trim();
  const candidates: unknown[] = [tryJson(trimmed)];
  for (const match of trimmed.matchAll(/```[a-zA-Z0-9_-]*\s*\n?([\s\S]*?)```/g)) {
    candidates.push(tryJson(match[1].trim()));
  }
  candidates.push(firstJsonObject(trimmed));
  for (const value of candidates) {
    if (Array.isArray(value)) return { ok: true, cases: value };
    if (!isPlainObject(value)) continue;
    if (Array.isArray(value.cases)) return { ok: true, cases: value.cases };
    if (isPlainObject(value.inputs)) return { ok: true, cases: [value] };
  }
  if (candidates.every((c) => c === undefined)) {
    return { ok: false, problem: 'The answer is not JSON.' };
  }
  return { ok: false, problem: 'The answer has no "cases" list.' };
}

function shortText(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const text = value.replace(/\s+/g, ' ').trim();
  return text ? text.slice(0, max) : null;
}

export type CaseReading = { ok: true; case: GeneratedCase } | { ok: false; problems: string[] };

/**
 * One proposed case checked against the request: inputs exactly of the input fields; with
 * `withExpected`, expected outputs of the output fields (or any non-empty object when there are
 * none). Expected outputs given without being asked for are dropped, not stored.
 */
export function readGeneratedCase(
  raw: unknown,
  request: Pick<GenerationRequest, 'inputFields' | 'outputFields' | 'withExpected' | 'objectPaths'>,
  label: string,
): CaseReading {
  if (!isPlainObject(raw)) return { ok: false, problems: [`${label} is not an object.`] };
  const size = JSON.stringify(raw).length;
  if (size > GENERATION_LIMITS.maxCaseChars) {
    return {
      ok: false,
      problems: [`${label} is ${size} characters; at most ${GENERATION_LIMITS.maxCaseChars}.`],
    };
  }
  const problems: string[] = [];
  const inputs = raw.inputs;
  if (!isPlainObject(inputs)) {
    problems.push(`${label}.inputs is missing or not an object.`);
  } else {
    problems.push(
      ...checkValues(request.inputFields, inputs, `${label}.inputs`).map(
        (e) => `${e.field}: ${e.message}`,
      ),
      ...missingPaths(inputs, request.objectPaths).map(
        (path) => `${label}.inputs.${path} is missing (the prompt reads {${path}}).`,
      ),
    );
  }
  let expected: Record<string, unknown> | null = null;
  if (request.withExpected) {
    const given = raw.expected_outputs;
    if (!isPlainObject(given) || Object.keys(given).length === 0) {
      problems.push(`${label}.expected_outputs is missing or empty.`);
    } else {
      if (request.outputFields) {
        problems.push(
          ...checkValues(request.outputFields, given, `${label}.expected_outputs`).map(
            (e) => `${e.field}: ${e.message}`,
          ),
        );
      }
      expected = given;
    }
  }
  if (problems.length || !isPlainObject(inputs)) return { ok: false, problems };
  const category = CASE_CATEGORIES.includes(raw.category as CaseCategory)
    ? (raw.category as CaseCategory)
    : 'typical';
  return {
    ok: true,
    case: {
      title: shortText(raw.name, TITLE_MAX) ?? `${category} case`,
      description: shortText(raw.description, DESCRIPTION_MAX),
      category,
      inputs,
      expectedOutputs: expected,
    },
  };
}
