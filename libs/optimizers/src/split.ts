import type { EngineCase } from '@ps/evaluation';
import type { ParameterFieldError } from './params';
import { createRng, deriveSeed } from './random';

/** A case offered to an optimization; golden cases become the validation set when present. */
export type SplitCase = EngineCase & { golden?: boolean };

export interface SplitRequest {
  cases: readonly SplitCase[];
  train_case_ids?: readonly string[] | null;
  validation_case_ids?: readonly string[] | null;
  /** Seed of the holdout draw. */
  seed: number;
  /** Share of the cases held out for validation when nothing else decides. Default 0.3. */
  holdoutShare?: number;
}

export interface CaseSplit {
  train: EngineCase[];
  validation: EngineCase[];
  /** How the split was made. */
  method: 'explicit' | 'golden' | 'holdout';
}

/** The split cannot be made; `errors` name the request fields. */
export class SplitError extends Error {
  constructor(readonly errors: ParameterFieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join(' '));
    this.name = 'SplitError';
  }
}

function strip(c: SplitCase): EngineCase {
  return { id: c.id, inputs: c.inputs, expected: c.expected };
}

/**
 * Train/validation split. Explicit `train_case_ids` / `validation_case_ids` win (one given: the
 * other is the rest); else the golden cases are the validation set when there are some and at
 * least one case is left to train on; else a seeded holdout (default 30%, at least one case on
 * each side). Strategies learn on train and choose on validation. Errors name the field: unknown
 * ids, an id on both sides, an empty side, fewer than two cases.
 */
export function splitCases(request: SplitRequest): CaseSplit {
  const byId = new Map(request.cases.map((c) => [c.id, c]));
  const errors: ParameterFieldError[] = [];
  const check = (field: string, ids: readonly string[] | null | undefined) => {
    if (!ids) return undefined;
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (!byId.has(id)) {
        errors.push({ field: `${field}.${i}`, message: `Test case ${id} is not in the test set.` });
      } else if (seen.has(id)) {
        errors.push({ field: `${field}.${i}`, message: `Test case ${id} is listed twice.` });
      }
      seen.add(id);
    });
    return seen;
  };
  const trainIds = check('train_case_ids', request.train_case_ids);
  const validationIds = check('validation_case_ids', request.validation_case_ids);
  if (trainIds && validationIds) {
    (request.validation_case_ids ?? []).forEach((id, i) => {
      if (trainIds.has(id)) {
        errors.push({
          field: `validation_case_ids.${i}`,
          message: `Test case ${id} is also in train_case_ids: a case is either learned on or validated on.`,
        });
      }
    });
  }
  if (errors.length) throw new SplitError(errors);
  if (request.cases.length < 2) {
    throw new SplitError([
      {
        field: 'test_set_id',
        message: `An optimization needs at least 2 test cases (one to learn on, one to validate on); the test set has ${request.cases.length}.`,
      },
    ]);
  }

  const ordered = [...request.cases].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let split: CaseSplit;
  if (trainIds || validationIds) {
    const inTrain = (c: SplitCase) =>
      trainIds ? trainIds.has(c.id) : !(validationIds as Set<string>).has(c.id);
    const inValidation = (c: SplitCase) =>
      validationIds ? validationIds.has(c.id) : !(trainIds as Set<string>).has(c.id);
    split = {
      train: ordered.filter(inTrain).map(strip),
      validation: ordered.filter(inValidation).map(strip),
      method: 'explicit',
    };
    const empty: ParameterFieldError[] = [];
    if (split.train.length === 0) {
      empty.push({ field: 'train_case_ids', message: 'No test case is left to learn on.' });
    }
    if (split.validation.length === 0) {
      empty.push({ field: 'validation_case_ids', message: 'No test case is left to validate on.' });
    }
    if (empty.length) throw new SplitError(empty);
    return split;
  }

  const golden = ordered.filter((c) => c.golden);
  if (golden.length > 0 && golden.length < ordered.length) {
    return {
      train: ordered.filter((c) => !c.golden).map(strip),
      validation: golden.map(strip),
      method: 'golden',
    };
  }
  const share = request.holdoutShare ?? 0.3;
  const n = ordered.length;
  const held = Math.min(n - 1, Math.max(1, Math.round(n * share)));
  const shuffled = createRng(deriveSeed(request.seed, 'split')).shuffle(ordered);
  const validation = new Set(shuffled.slice(0, held).map((c) => c.id));
  return {
    train: ordered.filter((c) => !validation.has(c.id)).map(strip),
    validation: ordered.filter((c) => validation.has(c.id)).map(strip),
    method: 'holdout',
  };
}
