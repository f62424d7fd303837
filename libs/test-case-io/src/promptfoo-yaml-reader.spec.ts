import { Readable } from 'node:stream';
import { parseCases } from './parse-cases';
import { ImportFileError, type ParseOptions, type ParsedRow } from './types';

const chunks = (text: string) => Readable.from([text]);

async function read(text: string, options?: ParseOptions): Promise<ParsedRow[]> {
  const rows: ParsedRow[] = [];
  for await (const row of parseCases(chunks(text), 'promptfoo_yaml', options)) rows.push(row);
  return rows;
}

/** One test with the given assertions (YAML flow mappings). */
const oneTest = (asserts: string[]) =>
  [
    '- vars:',
    '    question: What is the capital of France?',
    '  assert:',
    ...asserts.map((a) => `    - ${a}`),
  ].join('\n');

describe('promptfoo YAML reader', () => {
  it.each([
    ['equals', '{type: equals, value: Paris}', { response: 'Paris' }, [{ metric: 'exact_match' }]],
    [
      'contains',
      '{type: contains, value: Paris}',
      { response: 'Paris' },
      [{ metric: 'contains', options: { case_sensitive: true, mode: 'all' } }],
    ],
    [
      'icontains',
      '{type: icontains, value: paris}',
      { response: 'paris' },
      [{ metric: 'contains', options: { case_sensitive: false, mode: 'all' } }],
    ],
    [
      'contains-all (list)',
      '{type: contains-all, value: [Paris, France]}',
      { response: ['Paris', 'France'] },
      [{ metric: 'contains', options: { case_sensitive: true, mode: 'all' } }],
    ],
    [
      'icontains-any (comma text)',
      '{type: icontains-any, value: "paris, lutetia"}',
      { response: ['paris', 'lutetia'] },
      [{ metric: 'contains', options: { case_sensitive: false, mode: 'any' } }],
    ],
    [
      'contains-any',
      '{type: contains-any, value: [a, b]}',
      { response: ['a', 'b'] },
      [{ metric: 'contains', options: { case_sensitive: true, mode: 'any' } }],
    ],
    [
      'icontains-all',
      '{type: icontains-all, value: [a, b]}',
      { response: ['a', 'b'] },
      [{ metric: 'contains', options: { case_sensitive: false, mode: 'all' } }],
    ],
    [
      'regex',
      "{type: regex, value: '^Par.s$'}",
      { response: '^Par.s$' },
      [{ metric: 'regex_match' }],
    ],
    [
      'is-json without schema',
      '{type: is-json}',
      {},
      [{ metric: 'json_schema_valid', options: { schema: {} } }],
    ],
    [
      'is-json with schema',
      '{type: is-json, value: {type: object, required: [city]}}',
      {},
      [
        {
          metric: 'json_schema_valid',
          options: { schema: { type: 'object', required: ['city'] } },
        },
      ],
    ],
    [
      'similar with threshold',
      '{type: similar, value: The capital is Paris, threshold: 0.8}',
      { response: 'The capital is Paris' },
      [{ metric: 'semantic_similarity', pass_threshold: 0.8 }],
    ],
    [
      'similar without threshold (promptfoo default)',
      '{type: similar, value: Paris}',
      { response: 'Paris' },
      [{ metric: 'semantic_similarity', pass_threshold: 0.75 }],
    ],
    [
      'llm-rubric',
      '{type: llm-rubric, value: Names Paris politely}',
      { rubric: 'Names Paris politely' },
      [{ metric: 'llm_judge', options: { rubric: 'Names Paris politely' } }],
    ],
  ])('maps %s', async (_name, assertion, expected, metrics) => {
    const [row] = await read(oneTest([assertion]));
    expect(row.errors).toEqual([]);
    expect(row.warnings).toEqual([]);
    expect(row.record).toEqual({
      description: null,
      inputs: { question: 'What is the capital of France?' },
      expected_outputs: expected,
      tags: [],
      is_golden: false,
      is_generated: false,
    });
    expect(row.suggested_metrics).toEqual(metrics);
  });

  it.each([
    [
      'javascript',
      '{type: javascript, value: output.length < 10}',
      'assert[0] (javascript) not mapped: no equivalent metric.',
    ],
    [
      'python',
      '{type: python, value: file://check.py}',
      'assert[0] (python) not mapped: values loaded from files (file://check.py) are not read.',
    ],
    [
      'not-contains',
      '{type: not-contains, value: London}',
      'assert[0] (not-contains) not mapped: negated assertions have no equivalent metric.',
    ],
    ['cost', '{type: cost, threshold: 0.01}', 'assert[0] (cost) not mapped: no equivalent metric.'],
    [
      'latency',
      '{type: latency, threshold: 500}',
      'assert[0] (latency) not mapped: no equivalent metric.',
    ],
  ])('warns about %s and still imports the test', async (_name, assertion, warning) => {
    const [row] = await read(oneTest([assertion, '{type: equals, value: Paris}']));
    expect(row.record?.expected_outputs).toEqual({ response: 'Paris' });
    expect(row.suggested_metrics).toEqual([{ metric: 'exact_match' }]);
    expect(row.warnings).toEqual([warning]);
  });

  it('keeps the first expected response and warns about later different ones', async () => {
    const [row] = await read(
      oneTest([
        '{type: equals, value: Paris}',
        '{type: icontains, value: paris}',
        '{type: contains, value: London}',
        '{type: contains, value: Paris}',
      ]),
    );
    expect(row.record?.expected_outputs).toEqual({ response: 'Paris' });
    expect(row.suggested_metrics).toEqual([
      { metric: 'exact_match' },
      { metric: 'contains', options: { case_sensitive: true, mode: 'all' } },
    ]);
    expect(row.warnings).toEqual([
      'assert[1] (icontains) not mapped: the case already expects "Paris" from assert[0] (equals).',
      'assert[2] (contains) not mapped: the case already expects "Paris" from assert[0] (equals).',
    ]);
  });

  it('applies defaultTest, maps metadata to tags and warns about everything else', async () => {
    const yaml = `
description: My suite
prompts: [prompt.txt]
providers: [openai:gpt-4o-mini]
defaultTest:
  vars:
    language: French
  assert:
    - type: llm-rubric
      value: Is polite
  options:
    provider: openai:gpt-4o
tests:
  - description: Capital
    vars:
      question: What is the capital?
      context: file://context.txt
    assert:
      - type: equals
        value: Paris
        weight: 2
    metadata:
      topic: geography
      level: 2
      nested: {a: 1}
    options:
      transform: output.trim()
  - vars:
      question: Second
      language: German
`;
    const rows = await read(yaml);
    expect(rows.map((r) => [r.row, r.line])).toEqual([
      [1, 14],
      [2, 28],
    ]);
    expect(rows[0].record).toEqual({
      description: 'Capital',
      inputs: { language: 'French', question: 'What is the capital?' },
      expected_outputs: { rubric: 'Is polite', response: 'Paris' },
      tags: ['topic:geography', 'level:2'],
      is_golden: false,
      is_generated: false,
    });
    expect(rows[0].suggested_metrics).toEqual([
      { metric: 'llm_judge', options: { rubric: 'Is polite' } },
      { metric: 'exact_match' },
    ]);
    expect(rows[0].warnings).toEqual([
      'Top-level keys not imported: description, prompts, providers.',
      'defaultTest keys not imported: options.',
      'vars.context not imported: values loaded from files (file://context.txt) are not read.',
      'assert[0] (equals): weight not imported.',
      'metadata.nested not imported: only text, numbers and booleans become tags.',
      'Test keys not imported: options.',
    ]);
    expect(rows[1].record?.inputs).toEqual({ language: 'German', question: 'Second' });
    expect(rows[1].warnings).toEqual(['defaultTest keys not imported: options.']);
  });

  it('reads a bare list of tests and makes unusable tests row errors', async () => {
    const yaml = [
      '- vars: {q: one}',
      '- file://more.yaml',
      '- description: no vars',
      '- vars: [1, 2]',
      '- vars: {q: two}',
    ].join('\n');
    const rows = await read(yaml);
    expect(rows.map((r) => [r.line, r.errors.map((e) => e.field ?? null)])).toEqual([
      [1, []],
      [2, [null]],
      [3, ['vars']],
      [4, ['vars']],
      [5, []],
    ]);
    expect(rows[0].record?.name).toBeUndefined();
    expect(rows[1].errors[0].message).toMatch(/file:\/\/more\.yaml/);
  });

  it.each([
    ['invalid YAML', 'tests:\n  - vars: {q: [1, 2}\n', /not valid YAML/],
    ['a mapping without tests', 'prompts: [a]\n', /no tests/],
    ['tests from a file', 'tests: file://tests.csv\n', /import that file itself/],
    ['a scalar document', 'just text\n', /list of tests/],
    ['an empty file', '\n', /empty/],
  ])('fails the file on %s', async (_name, yaml, message) => {
    await expect(read(yaml)).rejects.toThrow(message);
  });

  it('reports the line of a YAML syntax error', async () => {
    const error = await read('tests:\n  - vars:\n      q: "unclosed\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as ImportFileError).line).toBeGreaterThanOrEqual(3);
  });

  it('enforces maxYamlBytes and maxRowBytes', async () => {
    const yaml = oneTest(['{type: equals, value: Paris}']);
    await expect(read(yaml, { maxYamlBytes: 20 })).rejects.toThrow(/limited to 20 bytes/);
    await expect(read(yaml, { maxRowBytes: 20 })).rejects.toThrow(
      /line 1 is larger than the limit of 20 bytes/,
    );
    await expect(read(yaml)).resolves.toHaveLength(1);
  });

  it('refuses alias bombs', async () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'tests: [*d]',
    ].join('\n');
    await expect(read(bomb)).rejects.toThrow(/The YAML cannot be read: .*alias/i);
  });
});
