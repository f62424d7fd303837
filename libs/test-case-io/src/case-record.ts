import { CASE_LIMITS, type CaseRecord, type ParsedRow, type RowError } from './types';

/** Errors and warnings gathered while one row is read; every problem is reported, not the first. */
export class RowIssues {
  readonly errors: RowError[] = [];
  readonly warnings: string[] = [];

  error(field: string | undefined, message: string): void {
    this.errors.push(field === undefined ? { message } : { field, message });
  }

  warn(message: string): void {
    this.warnings.push(message);
  }
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields of a case in the one order every writer uses (re-exports are byte-identical). */
export function orderedRecord(fields: {
  name?: string;
  description?: string | null;
  inputs: Record<string, unknown>;
  expected_outputs?: Record<string, unknown>;
  tags?: string[];
  is_golden?: boolean;
  is_generated?: boolean;
}): CaseRecord {
  return {
    ...(fields.name === undefined ? {} : { name: fields.name }),
    description: fields.description ?? null,
    inputs: fields.inputs,
    expected_outputs: fields.expected_outputs ?? {},
    tags: fields.tags ?? [],
    is_golden: fields.is_golden ?? false,
    is_generated: fields.is_generated ?? false,
  };
}

/** A name as the API stores it (trimmed); blank means none (the importer generates one). */
export function checkName(name: string, issues: RowIssues, field = 'name'): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return undefined;
  if (trimmed.length > CASE_LIMITS.nameMaxLength) {
    issues.error(
      field,
      `name is ${trimmed.length} characters long; the limit is ${CASE_LIMITS.nameMaxLength}.`,
    );
  }
  return trimmed;
}

export function checkDescription(description: string, issues: RowIssues, field = 'description') {
  if (description.length > CASE_LIMITS.descriptionMaxLength) {
    issues.error(
      field,
      `description is ${description.length} characters long; the limit is ${CASE_LIMITS.descriptionMaxLength}.`,
    );
  }
}

export function checkTags(tags: string[], issues: RowIssues, field = 'tags'): void {
  if (tags.length > CASE_LIMITS.maxTags) {
    issues.error(field, `${tags.length} tags; a case has at most ${CASE_LIMITS.maxTags}.`);
  }
  tags.forEach((tag, i) => {
    if (tag === '') issues.error(field, `tag ${i + 1} is empty.`);
    else if (tag.length > CASE_LIMITS.tagMaxLength) {
      issues.error(
        field,
        `tag "${tag.slice(0, 20)}..." is ${tag.length} characters long; the limit is ${CASE_LIMITS.tagMaxLength}.`,
      );
    }
  });
}

/** The ParsedRow of a read row: the record only when there is no error. */
export function toParsedRow(
  row: number,
  line: number,
  issues: RowIssues,
  record: CaseRecord | undefined,
  suggested: ParsedRow['suggested_metrics'] = [],
): ParsedRow {
  const ok = issues.errors.length === 0 && record !== undefined;
  return {
    row,
    line,
    ...(ok ? { record } : {}),
    errors: issues.errors,
    warnings: issues.warnings,
    suggested_metrics: ok ? suggested : [],
  };
}

const ITEM_FIELDS = new Set([
  'name',
  'description',
  'inputs',
  'expected_outputs',
  'tags',
  'is_golden',
  'is_generated',
]);

const typeName = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;

/**
 * A JSON or JSONL item as a case. Fields of the wrong type are row errors naming the field;
 * fields the case does not have (`id`, `created_at`...) are ignored with a warning.
 */
export function recordFromItem(item: unknown, issues: RowIssues): CaseRecord | undefined {
  if (!isPlainObject(item)) {
    issues.error(undefined, `A test case is a JSON object; found ${typeName(item)}.`);
    return undefined;
  }
  let name: string | undefined;
  if (item.name !== undefined && item.name !== null) {
    if (typeof item.name === 'string') name = checkName(item.name, issues);
    else issues.error('name', `name must be a string; found ${typeName(item.name)}.`);
  }
  let description: string | null = null;
  if (item.description !== undefined && item.description !== null) {
    if (typeof item.description === 'string') {
      checkDescription(item.description, issues);
      description = item.description;
    } else {
      issues.error(
        'description',
        `description must be a string; found ${typeName(item.description)}.`,
      );
    }
  }
  let inputs: Record<string, unknown> = {};
  if (item.inputs === undefined || item.inputs === null) {
    issues.error('inputs', 'missing inputs.');
  } else if (isPlainObject(item.inputs)) inputs = item.inputs;
  else issues.error('inputs', `inputs must be an object; found ${typeName(item.inputs)}.`);

  let expected: Record<string, unknown> = {};
  if (item.expected_outputs !== undefined && item.expected_outputs !== null) {
    if (isPlainObject(item.expected_outputs)) expected = item.expected_outputs;
    else {
      issues.error(
        'expected_outputs',
        `expected_outputs must be an object; found ${typeName(item.expected_outputs)}.`,
      );
    }
  }
  let tags: string[] = [];
  if (item.tags !== undefined && item.tags !== null) {
    if (Array.isArray(item.tags) && item.tags.every((t) => typeof t === 'string')) {
      tags = item.tags;
      checkTags(tags, issues);
    } else issues.error('tags', 'tags must be an array of strings.');
  }
  const flag = (field: 'is_golden' | 'is_generated'): boolean => {
    const value = item[field];
    if (value === undefined || value === null) return false;
    if (typeof value === 'boolean') return value;
    issues.error(field, `${field} must be true or false; found ${typeName(value)}.`);
    return false;
  };
  const isGolden = flag('is_golden');
  const isGenerated = flag('is_generated');
  const extra = Object.keys(item).filter((k) => !ITEM_FIELDS.has(k));
  if (extra.length > 0)
    issues.warn(`Ignored field${extra.length > 1 ? 's' : ''}: ${extra.join(', ')}.`);
  return orderedRecord({
    name,
    description,
    inputs,
    expected_outputs: expected,
    tags,
    is_golden: isGolden,
    is_generated: isGenerated,
  });
}
