import type { SignatureFieldSpec } from '@ps/common';
import { CaseDeduper } from './case-dedupe';
import {
  type CaseCategory,
  emptyRejections,
  type GeneratedCase,
  type GenerationOutcome,
  type GenerationRequest,
  MAX_PROBLEMS,
} from './generation-types';
import { checkValues, fillPaths } from './input-fields';
import { type Rng, seededRng, typedValue } from './typed-values';

/**
 * The generator that needs no model: values typed by each field (string, integer, number,
 * boolean, array, object) in categories — typical, edge, boundary, adversarial, minimal, maximal,
 * complex — drawn from a seeded stream, so the same request, seed and existing cases give the
 * same cases. Near-duplicates (of each other and of the project's cases) are skipped.
 */

/** The order categories come in, per strategy (repeated). */
const SCHEDULES = {
  diverse: [
    'typical',
    'edge',
    'typical',
    'boundary',
    'adversarial',
    'typical',
    'complex',
    'minimal',
    'maximal',
    'typical',
  ],
  edge_cases: ['edge', 'boundary', 'adversarial', 'minimal', 'maximal', 'edge', 'boundary'],
  from_examples: ['typical', 'edge', 'boundary', 'adversarial', 'complex'],
} as const satisfies Record<string, readonly CaseCategory[]>;

/** Categories that vary one field and keep the others ordinary. */
const FOCUSED: ReadonlySet<CaseCategory> = new Set(['edge', 'boundary', 'adversarial']);

/** Draws per requested case before the generator gives up finding distinct ones. */
const DRAWS_PER_CASE = 20;

/** How many values of (field, category) were drawn before: special values come in turn. */
type Counter = (field: SignatureFieldSpec, category: CaseCategory) => number;

function counter(): Counter {
  const counts = new Map<string, number>();
  return (field, category) => {
    const key = `${field.name}\u0000${category}`;
    const n = counts.get(key) ?? 0;
    counts.set(key, n + 1);
    return n;
  };
}

interface Draft {
  inputs: Record<string, unknown>;
  title: string;
  description: string;
}

function draftFromSchema(
  fields: SignatureFieldSpec[],
  category: CaseCategory,
  focus: SignatureFieldSpec | undefined,
  rng: Rng,
  count: Counter,
): Draft {
  const inputs: Record<string, unknown> = {};
  const notes: string[] = [];
  for (const field of fields) {
    if (field === focus) {
      const { value, label } = typedValue(field, category, rng, count(field, category));
      inputs[field.name] = value;
      notes.push(`${field.name}: ${label}`);
      continue;
    }
    if (category === 'minimal' && !field.required) continue;
    const whole = category === 'minimal' || category === 'maximal' || category === 'complex';
    // Optional fields come and go in ordinary cases, so both shapes get covered.
    if (!whole && !field.required && rng.next() < 0.4) continue;
    const kind = whole ? category : 'typical';
    const { value, label } = typedValue(field, kind, rng, count(field, kind));
    inputs[field.name] = value;
    if (whole) notes.push(`${field.name}: ${label}`);
  }
  const what =
    category === 'minimal'
      ? 'required fields only, smallest values'
      : category === 'typical'
        ? 'ordinary values'
        : notes.join('; ');
  return {
    inputs,
    title: focus ? `${category} ${focus.name}` : `${category} case`,
    description: `${category}: ${what || 'no fields'}`,
  };
}

function draftFromExample(
  fields: SignatureFieldSpec[],
  example: Record<string, unknown>,
  category: CaseCategory,
  focus: SignatureFieldSpec,
  rng: Rng,
  count: Counter,
): Draft {
  const inputs: Record<string, unknown> = {};
  for (const field of fields) {
    const kept = example[field.name];
    // An example's value of the wrong type (or a missing required one) is replaced.
    const fits =
      kept !== undefined && checkValues([field], { [field.name]: kept }, 'inputs').length === 0;
    if (fits) inputs[field.name] = kept;
    else if (field.required) inputs[field.name] = typedValue(field, 'typical', rng).value;
  }
  const { value, label } = typedValue(focus, category, rng, count(focus, category));
  inputs[focus.name] = value;
  return {
    inputs,
    title: `${category} ${focus.name}`,
    description: `${category} variation of an existing case: ${focus.name}: ${label}`,
  };
}

/** Generates `numCases` distinct valid cases without a model (fewer if the inputs allow fewer). */
export function generateTypedCases(request: GenerationRequest): GenerationOutcome {
  const { strategy, inputFields: fields, numCases } = request;
  if (strategy === 'from_description') {
    throw new Error('from_description needs a model: the typed generator cannot read a text.');
  }
  const examples = request.existing.map((c) => c.inputs);
  if (strategy === 'from_examples' && examples.length === 0) {
    throw new Error('from_examples needs existing test cases in the project.');
  }
  const rng = seededRng(request.seed);
  const deduper = new CaseDeduper(examples);
  const schedule: readonly CaseCategory[] = SCHEDULES[strategy];
  const seenOfCategory = new Map<CaseCategory, number>();
  const count = counter();
  const rejected = emptyRejections();
  const problems: string[] = [];
  const cases: GeneratedCase[] = [];
  const maxDraws = numCases * DRAWS_PER_CASE + 50;

  for (let draw = 0; draw < maxDraws && cases.length < numCases; draw++) {
    const category = schedule[draw % schedule.length];
    const nth = seenOfCategory.get(category) ?? 0;
    seenOfCategory.set(category, nth + 1);
    let draft: Draft;
    if (strategy === 'from_examples') {
      if (fields.length === 0) break;
      const example = examples[Math.floor(draw / schedule.length) % examples.length];
      draft = draftFromExample(fields, example, category, fields[nth % fields.length], rng, count);
    } else {
      const focus =
        FOCUSED.has(category) && fields.length ? fields[nth % fields.length] : undefined;
      draft = draftFromSchema(fields, category, focus, rng, count);
    }
    // Objects the prompt reads into ({doc.title}) get those members, or it could not render.
    if (request.objectPaths) {
      fillPaths(
        draft.inputs,
        request.objectPaths,
        (path) => typedValue({ name: path, type: 'string', required: true }, 'typical', rng).value,
      );
    }
    const errors = checkValues(fields, draft.inputs, 'inputs');
    if (errors.length) {
      rejected.invalid_cases++;
      if (problems.length < MAX_PROBLEMS) problems.push(errors[0].message);
      continue;
    }
    if (!deduper.add(draft.inputs)) {
      rejected.duplicates++;
      continue;
    }
    cases.push({
      title: draft.title,
      description: draft.description,
      category,
      inputs: draft.inputs,
      expectedOutputs: null,
    });
  }
  return {
    generator: 'deterministic',
    cases,
    calls: 0,
    maxCalls: 0,
    tokens: { input: 0, output: 0 },
    cost: 0,
    rejected,
    problems,
    stopped: cases.length >= numCases ? 'done' : 'exhausted',
  };
}
