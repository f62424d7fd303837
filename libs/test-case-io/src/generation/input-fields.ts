import {
  type FieldError,
  type SignatureFieldSpec,
  type SignatureFieldType,
  templateVariables,
  validateFields,
} from '@ps/common';

/**
 * The inputs a prompt template needs, as fields: `{text}` a required string, `{doc.title}` a
 * required object `doc` (dotted paths reach into objects).
 */
export function fieldsFromTemplate(
  ...templates: (string | null | undefined)[]
): SignatureFieldSpec[] {
  const fields = new Map<string, SignatureFieldSpec>();
  for (const template of templates) {
    if (!template) continue;
    for (const variable of templateVariables(template)) {
      const [root, ...rest] = variable.split('.');
      const type: SignatureFieldType = rest.length ? 'object' : 'string';
      const known = fields.get(root);
      // A variable used both whole and dotted is an object (`{doc}` prints it as JSON).
      if (!known || (known.type === 'string' && type === 'object')) {
        fields.set(root, {
          name: root,
          type,
          required: true,
          ...(rest.length ? { description: `has ${variable}` } : {}),
        });
      }
    }
  }
  return [...fields.values()];
}

function jsonType(value: unknown): SignatureFieldType | null {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (Array.isArray(value)) return 'array';
  if (value !== null && typeof value === 'object') return 'object';
  return null;
}

/**
 * Fields inferred from existing cases' inputs (no signature, no prompt): every key seen, typed
 * by its values (integer widens to number when both occur; conflicting types make it a string),
 * required when every case has it.
 */
export function fieldsFromExamples(
  inputs: readonly Record<string, unknown>[],
): SignatureFieldSpec[] {
  const seen = new Map<string, { types: Set<SignatureFieldType>; count: number }>();
  for (const values of inputs) {
    for (const [key, value] of Object.entries(values)) {
      const entry = seen.get(key) ?? { types: new Set<SignatureFieldType>(), count: 0 };
      entry.count++;
      const type = jsonType(value);
      if (type) entry.types.add(type);
      seen.set(key, entry);
    }
  }
  return [...seen.entries()].map(([name, { types, count }]) => {
    let type: SignatureFieldType = 'string';
    if (types.size === 1) type = [...types][0];
    else if (types.size === 2 && types.has('integer') && types.has('number')) type = 'number';
    return { name, type, required: count === inputs.length };
  });
}

/**
 * Checks generated values against fields, strictly: each declared field of its type, required
 * ones present, and no field the schema does not declare (a misspelt name is a wrong field).
 */
export function checkValues(
  fields: SignatureFieldSpec[],
  values: Record<string, unknown>,
  root: string,
): FieldError[] {
  const result = validateFields(fields, values, root);
  return [
    ...result.errors,
    ...result.unknown_fields.map((name) => ({
      field: `${root}.${name}`,
      message: `${name} is not a field (expected ${fields.map((f) => f.name).join(', ')}).`,
    })),
  ];
}

/**
 * The dotted paths a template reads inside object inputs, by root: `{doc.title}` and
 * `{doc.meta.year}` give `{doc: ['title', 'meta.year']}`. Generated objects must hold them, or
 * the prompt cannot be rendered.
 */
export function templatePaths(
  ...templates: (string | null | undefined)[]
): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const template of templates) {
    if (!template) continue;
    for (const variable of templateVariables(template)) {
      const [root, ...rest] = variable.split('.');
      if (!rest.length) continue;
      const list = (paths[root] ??= []);
      if (!list.includes(rest.join('.'))) list.push(rest.join('.'));
    }
  }
  return paths;
}

/** Where the fields of generated inputs come from. */
export type InputFieldSource = 'signature' | 'prompt' | 'examples';

/**
 * The fields generated inputs must fill: the signature's input schema, else the variables of the
 * prompt's templates, else (for from_examples) what the existing cases hold. Null when none of
 * these says anything.
 */
export function inputFieldsFor(sources: {
  signature?: SignatureFieldSpec[] | null;
  templates?: (string | null | undefined)[];
  examples?: readonly Record<string, unknown>[];
}): { fields: SignatureFieldSpec[]; source: InputFieldSource } | null {
  if (sources.signature?.length) return { fields: sources.signature, source: 'signature' };
  const fromPrompt = fieldsFromTemplate(...(sources.templates ?? []));
  if (fromPrompt.length) return { fields: fromPrompt, source: 'prompt' };
  const fromExamples = fieldsFromExamples(sources.examples ?? []);
  if (fromExamples.length) return { fields: fromExamples, source: 'examples' };
  return null;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `path` (dotted) leads to a value inside `value`. */
function hasPath(value: unknown, path: string): boolean {
  let current = value;
  for (const part of path.split('.')) {
    if (!isRecord(current) || !Object.hasOwn(current, part)) return false;
    current = current[part];
  }
  return true;
}

/** The paths of `objectPaths` that object inputs lack, as `root.path`. */
export function missingPaths(
  inputs: Record<string, unknown>,
  objectPaths: Record<string, string[]> = {},
): string[] {
  const missing: string[] = [];
  for (const [root, paths] of Object.entries(objectPaths)) {
    if (!(root in inputs)) continue;
    for (const path of paths) if (!hasPath(inputs[root], path)) missing.push(`${root}.${path}`);
  }
  return missing;
}

/**
 * Sets each missing path of `objectPaths` inside the object inputs (creating objects on the way,
 * replacing a non-object in the way) to `fill(path)`.
 */
export function fillPaths(
  inputs: Record<string, unknown>,
  objectPaths: Record<string, string[]>,
  fill: (path: string) => unknown,
): void {
  for (const [root, paths] of Object.entries(objectPaths)) {
    if (!isRecord(inputs[root])) continue;
    for (const path of paths) {
      if (hasPath(inputs[root], path)) continue;
      const parts = path.split('.');
      let current = inputs[root];
      for (const part of parts.slice(0, -1)) {
        if (!isRecord(current[part])) current[part] = {};
        current = current[part] as Record<string, unknown>;
      }
      current[parts[parts.length - 1]] = fill(`${root}.${path}`);
    }
  }
}
