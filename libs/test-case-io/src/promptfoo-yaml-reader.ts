import { LineCounter, isMap, isNode, isSeq, parseDocument } from 'yaml';
import {
  RowIssues,
  checkDescription,
  isPlainObject,
  orderedRecord,
  toParsedRow,
} from './case-record';
import { AssertionMapper } from './promptfoo-assertions';
import { type ByteSource, decodeText } from './text-source';
import { CASE_LIMITS, ImportFileError, type ParsedRow } from './types';

/** Test keys this reader maps; every other key of a test is reported as not imported. */
const MAPPED_TEST_KEYS = new Set(['vars', 'assert', 'description', 'metadata']);

const isFileRef = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith('file://');

/** The whole file as text, failing once it passes the cap (YAML is parsed as one document). */
async function readCapped(source: ByteSource, maxBytes: number): Promise<string> {
  const parts: string[] = [];
  let bytes = 0;
  for await (const chunk of decodeText(source)) {
    bytes += Buffer.byteLength(chunk);
    if (bytes > maxBytes) {
      throw new ImportFileError(
        `A promptfoo YAML file is read whole and is limited to ${maxBytes} bytes; this one is larger.`,
      );
    }
    parts.push(chunk);
  }
  return parts.join('');
}

/**
 * metadata → tags `key:value` (scalars, and each element of an array of scalars): promptfoo
 * filters tests by metadata the way the product filters cases by tag. What cannot be a tag
 * (objects, tags over the length limit, beyond the count limit) is reported.
 */
function metadataTags(metadata: Record<string, unknown>, label: string, issues: RowIssues) {
  const tags: string[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    if (!values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
      issues.warn(`${label}.${key} not imported: only text, numbers and booleans become tags.`);
      continue;
    }
    for (const v of values) {
      const tag = `${key}:${String(v)}`;
      if (tag.length > CASE_LIMITS.tagMaxLength) {
        issues.warn(
          `${label}.${key} not imported: the tag "${tag.slice(0, 20)}..." is longer than ${CASE_LIMITS.tagMaxLength} characters.`,
        );
      } else if (!tags.includes(tag)) tags.push(tag);
    }
  }
  return tags;
}

interface DefaultTest {
  vars: Record<string, unknown>;
  assert: unknown[];
  metadata: Record<string, unknown>;
  /** Warnings every row carries (keys of defaultTest that are not imported). */
  warnings: string[];
}

function readDefaultTest(value: unknown): DefaultTest {
  const none: DefaultTest = { vars: {}, assert: [], metadata: {}, warnings: [] };
  if (value === undefined || value === null) return none;
  if (!isPlainObject(value)) {
    return {
      ...none,
      warnings: [
        isFileRef(value)
          ? `defaultTest not imported: it is loaded from a file (${value.slice(0, 80)}).`
          : 'defaultTest not imported: it is not a mapping.',
      ],
    };
  }
  const warnings: string[] = [];
  const part = <T>(key: string, ok: (v: unknown) => v is T, fallback: T): T => {
    const v = value[key];
    if (v === undefined || v === null) return fallback;
    if (ok(v)) return v;
    warnings.push(`defaultTest.${key} not imported: unexpected form.`);
    return fallback;
  };
  const other = Object.keys(value).filter((k) => !MAPPED_TEST_KEYS.has(k) && k !== 'description');
  if (other.length > 0) warnings.push(`defaultTest keys not imported: ${other.join(', ')}.`);
  return {
    vars: part('vars', isPlainObject, {}),
    assert: part('assert', (v): v is unknown[] => Array.isArray(v), []),
    metadata: part('metadata', isPlainObject, {}),
    warnings,
  };
}

/** One promptfoo test (with defaultTest applied) as a case. */
function testRow(row: number, line: number, test: unknown, defaults: DefaultTest): ParsedRow {
  const issues = new RowIssues();
  defaults.warnings.forEach((w) => issues.warn(w));
  if (!isPlainObject(test)) {
    issues.error(
      undefined,
      isFileRef(test)
        ? `Tests loaded from files (${test.slice(0, 80)}) cannot be imported; import that file itself.`
        : 'A test is a mapping with vars (and assert, description...).',
    );
    return toParsedRow(row, line, issues, undefined);
  }

  const inputs: Record<string, unknown> = {};
  const vars = test.vars ?? {};
  if (isFileRef(vars)) {
    issues.error('vars', `vars loaded from files (${vars.slice(0, 80)}) cannot be imported.`);
  } else if (!isPlainObject(vars)) {
    issues.error('vars', 'vars must be a mapping of variable names to values.');
  } else {
    for (const [name, value] of Object.entries({ ...defaults.vars, ...vars })) {
      if (isFileRef(value)) {
        issues.warn(
          `vars.${name} not imported: values loaded from files (${value.slice(0, 80)}) are not read.`,
        );
      } else inputs[name] = value;
    }
    if (Object.keys(inputs).length === 0)
      issues.error('vars', 'missing inputs: the test has no vars.');
  }

  let description: string | null = null;
  if (test.description !== undefined && test.description !== null) {
    if (typeof test.description === 'string') {
      checkDescription(test.description, issues);
      description = test.description;
    } else issues.error('description', 'description must be text.');
  }

  const mapper = new AssertionMapper(issues);
  const asserts: [string, unknown][] = defaults.assert.map((a, i) => [
    `defaultTest.assert[${i}]`,
    a,
  ]);
  if (Array.isArray(test.assert)) {
    test.assert.forEach((a, i) => asserts.push([`assert[${i}]`, a]));
  } else if (test.assert !== undefined && test.assert !== null) {
    issues.error('assert', 'assert must be a list of assertions.');
  }
  for (const [label, a] of asserts) {
    if (!isPlainObject(a) || typeof a.type !== 'string') {
      issues.warn(`${label} not mapped: an assertion is a mapping with a type.`);
      continue;
    }
    const { type, value, threshold, ...rest } = a;
    if (threshold !== undefined && typeof threshold !== 'number') {
      issues.warn(`${label} (${type}): threshold is not a number and is not used.`);
    }
    mapper.add({
      label,
      type,
      value,
      ...(typeof threshold === 'number' ? { threshold } : {}),
    });
    const ignored = Object.keys(rest);
    if (ignored.length > 0) issues.warn(`${label} (${type}): ${ignored.join(', ')} not imported.`);
  }

  let metadata: Record<string, unknown> = defaults.metadata;
  if (isPlainObject(test.metadata)) metadata = { ...metadata, ...test.metadata };
  else if (test.metadata !== undefined && test.metadata !== null) {
    issues.warn('metadata not imported: it is not a mapping.');
  }
  let tags = metadataTags(metadata, 'metadata', issues);
  if (tags.length > CASE_LIMITS.maxTags) {
    issues.warn(
      `metadata gives ${tags.length} tags; the first ${CASE_LIMITS.maxTags} are imported.`,
    );
    tags = tags.slice(0, CASE_LIMITS.maxTags);
  }

  const other = Object.keys(test).filter((k) => !MAPPED_TEST_KEYS.has(k));
  if (other.length > 0) issues.warn(`Test keys not imported: ${other.join(', ')}.`);

  const record = orderedRecord({
    description,
    inputs,
    expected_outputs: mapper.expected,
    tags,
  });
  return toParsedRow(row, line, issues, record, mapper.metrics);
}

/**
 * A promptfoo test file: a YAML list of tests, or a config mapping with `tests:` (and an optional
 * `defaultTest` whose vars, assertions and metadata apply to every test). vars → inputs,
 * description → description, assertions → expected outputs and suggested metrics (see
 * AssertionMapper), scalar metadata → tags `key:value`. Cases get no name (the importer generates
 * one). Everything else is reported as a warning on the row it concerns.
 *
 * The file is parsed whole, up to maxYamlBytes: line numbers come from the YAML document.
 */
export async function* parsePromptfooYaml(
  source: ByteSource,
  maxRowBytes: number,
  maxYamlBytes: number,
): AsyncGenerator<ParsedRow, void, undefined> {
  const text = await readCapped(source, maxYamlBytes);
  if (text.trim() === '') throw new ImportFileError('The file is empty.');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (offset: number) => Math.max(1, lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = lineOf(first.pos[0]);
    throw new ImportFileError(`The file is not valid YAML: ${first.message} (line ${line}).`, line);
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ImportFileError(`The YAML cannot be read: ${(e as Error).message}`);
  }

  let testsNode: unknown = doc.contents;
  let tests: unknown = root;
  let defaults = readDefaultTest(undefined);
  const fileWarnings: string[] = [];
  if (isMap(doc.contents) && isPlainObject(root)) {
    if (!('tests' in root)) {
      throw new ImportFileError(
        'The YAML has no tests: a promptfoo test file is a list of tests or a mapping with tests:.',
      );
    }
    tests = root.tests;
    testsNode = doc.contents.get('tests', true);
    defaults = readDefaultTest(root.defaultTest);
    const other = Object.keys(root).filter((k) => k !== 'tests' && k !== 'defaultTest');
    if (other.length > 0) fileWarnings.push(`Top-level keys not imported: ${other.join(', ')}.`);
  }
  if (isFileRef(tests)) {
    throw new ImportFileError(
      `tests are loaded from a file (${tests.slice(0, 80)}); import that file itself.`,
    );
  }
  if (!Array.isArray(tests) || !isSeq(testsNode)) {
    throw new ImportFileError(
      'A promptfoo test file is a YAML list of tests or a mapping with a tests: list.',
    );
  }
  for (let i = 0; i < tests.length; i++) {
    const node: unknown = testsNode.items[i];
    const range = isNode(node) ? node.range : undefined;
    const line = range ? lineOf(range[0]) : 1;
    if (range && Buffer.byteLength(text.slice(range[0], range[1])) > maxRowBytes) {
      throw new ImportFileError(
        `The test starting at line ${line} is larger than the limit of ${maxRowBytes} bytes.`,
        line,
      );
    }
    const parsed = testRow(i + 1, line, tests[i], defaults);
    if (i === 0) parsed.warnings.unshift(...fileWarnings);
    yield parsed;
  }
}
