import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { definePerCase } from '../definition';
import { defineOptions, opt } from '../options';
import { canonicalJson, isPlainObject, parseJson } from '../text';
import type { MetricValue } from '../types';

export interface JsonMatchOptions {
  ignore_extra_keys: boolean;
  numeric_tolerance: number;
}

const MAX_LISTED_PATHS = 10;

interface LeafTally {
  total: number;
  matched: number;
  extra: number;
  missing: string[];
  mismatched: string[];
  extraPaths: string[];
}

const MISSING = Symbol('missing');

function note(list: string[], path: string) {
  if (list.length < MAX_LISTED_PATHS) list.push(path);
}

/**
 * Leaves of a JSON value: scalars and empty objects/arrays count 1, containers the sum. A
 * container that contains itself (not JSON, but possible in memory) counts 1 where it recurs.
 */
export function countLeaves(value: unknown, ancestors = new Set<unknown>()): number {
  const children = Array.isArray(value)
    ? (value as unknown[])
    : isPlainObject(value)
      ? Object.values(value)
      : undefined;
  if (!children || children.length === 0 || ancestors.has(value)) return 1;
  ancestors.add(value);
  const n = children.reduce((sum: number, v) => sum + countLeaves(v, ancestors), 0);
  ancestors.delete(value);
  return n;
}

function leafEqual(expected: unknown, output: unknown, tolerance: number): boolean {
  if (typeof expected === 'number' && typeof output === 'number') {
    return expected === output || Math.abs(expected - output) <= tolerance;
  }
  return expected === output;
}

function walk(
  expected: unknown,
  output: unknown,
  path: string,
  o: JsonMatchOptions,
  t: LeafTally,
  ancestors: Set<unknown>,
) {
  if (ancestors.has(expected)) {
    // A cycle (not JSON): count the recurring container as one unmatched leaf.
    t.total++;
    note(t.mismatched, path);
    return;
  }
  if (isPlainObject(expected)) {
    const keys = Object.keys(expected);
    const out = isPlainObject(output) ? output : undefined;
    if (keys.length === 0) {
      t.total++;
      if (out && (o.ignore_extra_keys || Object.keys(out).length === 0)) t.matched++;
      else note(output === MISSING ? t.missing : t.mismatched, path);
      return;
    }
    ancestors.add(expected);
    for (const key of keys) {
      const child = out && Object.hasOwn(out, key) ? out[key] : MISSING;
      walk(expected[key], child, `${path}.${key}`, o, t, ancestors);
    }
    ancestors.delete(expected);
    if (out && !o.ignore_extra_keys) {
      for (const key of Object.keys(out)) {
        if (Object.hasOwn(expected, key)) continue;
        t.extra += countLeaves(out[key]);
        note(t.extraPaths, `${path}.${key}`);
      }
    }
    return;
  }
  if (Array.isArray(expected)) {
    const out = Array.isArray(output) ? (output as unknown[]) : undefined;
    if (expected.length === 0) {
      t.total++;
      if (out && out.length === 0) t.matched++;
      else note(output === MISSING ? t.missing : t.mismatched, path);
      return;
    }
    ancestors.add(expected);
    expected.forEach((item, i) => {
      walk(item, out && i < out.length ? out[i] : MISSING, `${path}[${i}]`, o, t, ancestors);
    });
    ancestors.delete(expected);
    // Arrays are positional: extra elements always count against the output.
    for (let i = expected.length; out && i < out.length; i++) {
      t.extra += countLeaves(out[i]);
      note(t.extraPaths, `${path}[${i}]`);
    }
    return;
  }
  t.total++;
  if (output !== MISSING && leafEqual(expected, output, o.numeric_tolerance)) t.matched++;
  else note(output === MISSING ? t.missing : t.mismatched, path);
}

/**
 * json_match: the output (a JSON string, possibly in a Markdown code fence, or a value) is
 * compared with the expected JSON value leaf by leaf. Leaves are scalars and empty
 * objects/arrays, addressed by their path; score = matched expected leaves / (expected leaves +
 * extra output leaves). Numbers match within `numeric_tolerance`; other scalars must be
 * identical (no type coercion: "1" ≠ 1). Arrays are positional and extra array elements count
 * as extra leaves; extra object keys count only when `ignore_extra_keys` is false. An empty
 * expected object matches any object (only an empty one when extra keys count). Output that is
 * not JSON scores 0; an expected string that is not JSON is compared as a JSON string leaf; a
 * missing expected value scores 0. Equal values score exactly 1.
 */
export function jsonMatch(output: unknown, expected: unknown, o: JsonMatchOptions): MetricValue {
  const out = parseJson(output);
  if (!out.ok) return { score: 0, details: { error: 'The output is not JSON.' } };
  if (expected === undefined) {
    return { score: 0, details: { error: 'The case has no expected value.' } };
  }
  const exp = parseJson(expected);
  const target = exp.ok ? exp.value : expected;
  const tally: LeafTally = {
    total: 0,
    matched: 0,
    extra: 0,
    missing: [],
    mismatched: [],
    extraPaths: [],
  };
  walk(target, out.value, '$', o, tally, new Set());
  const denominator = tally.total + tally.extra;
  const score = tally.matched / denominator;
  if (score === 1) return 1;
  return {
    score,
    details: {
      matched: tally.matched,
      total: denominator,
      ...(tally.missing.length ? { missing: tally.missing } : {}),
      ...(tally.mismatched.length ? { mismatched: tally.mismatched } : {}),
      ...(tally.extraPaths.length ? { extra: tally.extraPaths } : {}),
    },
  };
}

export const jsonMatchMetric = definePerCase(
  {
    name: 'json_match',
    description:
      'Structural JSON match with partial credit. The output (JSON text, optionally in a Markdown code fence, or a value) is parsed; each leaf of the expected value (scalar or empty object/array, by path) scores if the output has an equal value at that path (numbers within numeric_tolerance, no type coercion). Score = matched expected leaves / (expected leaves + extra output leaves); arrays are positional and extra elements always count, extra object keys count only if ignore_extra_keys is false. Equal JSON → 1; output that is not JSON → 0.',
    range: [0, 1],
  },
  defineOptions({
    ignore_extra_keys: opt.boolean(true, 'Ignore object keys the expected value does not have.'),
    numeric_tolerance: opt.number(
      0,
      'Largest absolute difference at which two numbers are equal.',
      {
        min: 0,
      },
    ),
  }),
  jsonMatch,
);

// ---------------------------------------------------------------------------------------------

const MAX_CACHED_SCHEMAS = 64;
const validators = new Map<string, ValidateFunction>();

function newAjv(schema: Record<string, unknown>): Ajv {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  const options = { allErrors: true, strict: false };
  const ajv = dialect.includes('2020-12')
    ? new Ajv2020(options)
    : dialect.includes('2019-09')
      ? new Ajv2019(options)
      : new Ajv(options);
  addFormats(ajv);
  return ajv;
}

/**
 * Compiles a JSON Schema (draft-07 by default; 2019-09 and 2020-12 when `$schema` says so),
 * with ajv-formats' formats. Throws if the schema is invalid. Compiled validators are cached by
 * the schema's canonical JSON; each schema gets its own ajv instance so `$id`s never clash.
 */
export function compileJsonSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = canonicalJson(schema);
  const cached = validators.get(key);
  if (cached) {
    validators.delete(key);
    validators.set(key, cached);
    return cached;
  }
  const validate = newAjv(schema).compile(schema);
  validators.set(key, validate);
  if (validators.size > MAX_CACHED_SCHEMAS) {
    validators.delete(validators.keys().next().value as string);
  }
  return validate;
}

/**
 * json_schema_valid: 1 if the output, parsed as JSON, is valid against the `schema` option,
 * else 0 (with the first validation errors in the details). Output that is not JSON scores 0.
 */
export function jsonSchemaValid(output: unknown, schema: Record<string, unknown>): MetricValue {
  const out = parseJson(output);
  if (!out.ok) return { score: 0, details: { error: 'The output is not JSON.' } };
  const validate = compileJsonSchema(schema);
  if (validate(out.value)) return 1;
  return {
    score: 0,
    details: {
      errors: (validate.errors ?? [])
        .slice(0, 5)
        .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`),
    },
  };
}

export const jsonSchemaValidMetric = definePerCase(
  {
    name: 'json_schema_valid',
    description:
      '1 if the output, parsed as JSON (optionally in a Markdown code fence), is valid against the JSON Schema in the schema option (draft-07, or 2019-09 / 2020-12 when $schema says so; ajv with ajv-formats), else 0. Output that is not JSON → 0. expected is not used.',
    range: [0, 1],
  },
  (() => {
    const o = defineOptions({
      schema: opt.requiredObject('The JSON Schema the output must satisfy.'),
    });
    return {
      specs: o.specs,
      schema: o.schema.superRefine((v, ctx) => {
        try {
          compileJsonSchema(v.schema);
        } catch (e) {
          ctx.addIssue({
            code: 'custom',
            path: ['schema'],
            message: `not a valid JSON Schema: ${(e as Error).message}`,
          });
        }
      }),
    };
  })(),
  (output, _expected, o) => jsonSchemaValid(output, o.schema),
);
