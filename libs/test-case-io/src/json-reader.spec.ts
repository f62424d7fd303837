import { Readable } from 'node:stream';
import { parseCases } from './parse-cases';
import { ImportFileError, type ImportFormat, type ParseOptions, type ParsedRow } from './types';

const chunks = (text: string) => Readable.from([Buffer.from(text, 'utf8')]);

async function read(format: ImportFormat, text: string, options?: ParseOptions) {
  const rows: ParsedRow[] = [];
  try {
    for await (const row of parseCases(chunks(text), format, options)) rows.push(row);
  } catch (e) {
    if (e instanceof ImportFileError) return { rows, error: e };
    throw e;
  }
  return { rows, error: undefined };
}

const record = (over: Record<string, unknown> = {}) => ({
  description: null,
  inputs: {},
  expected_outputs: {},
  tags: [],
  is_golden: false,
  is_generated: false,
  ...over,
});

describe('JSON reader', () => {
  const tricky = {
    name: 'brackets ] } [ { and "quotes" \\" in strings',
    inputs: { text: 'a "quoted" ]}, and \\\\ backslash', nested: { list: [1, [2, { x: '}' }]] } },
  };

  it.each([
    ['a root array', 2, (items: string) => `[\n${items}\n]`],
    [
      'the export object',
      3,
      (items: string) =>
        `{"version":1,"project_id":7,"exported_at":"2024-01-01T00:00:00.000Z","count":2,"extra":{"x":[1,"]"]},\n"test_cases":[\n${items}\n]}`,
    ],
  ])('splits %s into items with their lines', async (_name, first, wrap) => {
    const items = `${JSON.stringify(tricky)},\n  {\n    "name": "second",\n    "inputs": {"q": "two\\nlines"}\n  }`;
    const { rows, error } = await read('json', wrap(items));
    expect(error).toBeUndefined();
    expect(rows.map((r) => [r.row, r.line])).toEqual([
      [1, first],
      [2, first + 1],
    ]);
    expect(rows[0].record).toEqual(record(tricky));
    expect(rows[1].record).toEqual(record({ name: 'second', inputs: { q: 'two\nlines' } }));
  });

  it('makes a malformed item a row error and reads on', async () => {
    const text = `[\n{"name": "a", "inputs": {"q": 1}},\n{"name": 'b', "inputs": {}},\n{"inputs": {"q": 3}}\n]`;
    const { rows, error } = await read('json', text);
    expect(error).toBeUndefined();
    expect(rows.map((r) => [r.line, r.errors.length, r.record?.inputs ?? null])).toEqual([
      [2, 0, { q: 1 }],
      [3, 1, null],
      [4, 0, { q: 3 }],
    ]);
    expect(rows[1].errors[0].message).toMatch(/^malformed JSON: /);
  });

  it('names the field of each wrong type', async () => {
    const items = [
      { inputs: 'x' },
      { inputs: { q: 1 }, name: 5, description: [], expected_outputs: 1 },
      { inputs: { q: 1 }, tags: 'a,b', is_golden: 'yes', is_generated: 1 },
      { name: 'no inputs' },
      42,
      { inputs: { q: 1 }, tags: [''] },
    ];
    const { rows } = await read('json', JSON.stringify(items));
    expect(rows.map((r) => r.errors.map((e) => e.field ?? null))).toEqual([
      ['inputs'],
      ['name', 'description', 'expected_outputs'],
      ['tags', 'is_golden', 'is_generated'],
      ['inputs'],
      [null],
      ['tags'],
    ]);
  });

  it('warns about fields a case does not have', async () => {
    const { rows } = await read('json', '[{"id": 3, "created_at": "x", "inputs": {"q": 1}}]');
    expect(rows[0].record).toEqual(record({ inputs: { q: 1 } }));
    expect(rows[0].warnings).toEqual(['Ignored fields: id, created_at.']);
  });

  it.each([
    ['an empty file', '  \n', /empty/, undefined],
    ['a scalar root', '\n"cases"', /array of test cases/, 2],
    ['an object without test_cases', '{"version": 1, "cases": []}', /no test_cases/, 1],
    ['another export version', '{"version": 2, "test_cases": []}', /version 2/, 1],
    ['test_cases that is not an array', '{"test_cases": {"a": 1}}', /must be an array/, 1],
    ['mismatched brackets', '[\n{"inputs": {"q": [1}}\n]', /Mismatched "}" in test case 1/, 2],
    [
      'an unclosed item',
      '[\n{"inputs": {"q": 1}},\n{"inputs": {\n',
      /ends inside test case 2, which starts at line 3/,
      3,
    ],
    [
      'a missing comma',
      '[{"inputs": {}}\n{"inputs": {}}]',
      /Expected "," or "]" after test case 1/,
      2,
    ],
    ['a trailing comma', '[{"inputs": {"q": 1}},\n]', /Expected a test case/, 2],
    ['content after the JSON', '[]\n[]', /after the end/, 2],
  ])('fails the file on %s', async (_name, text, message, line) => {
    const { error } = await read('json', text);
    expect(error?.message).toMatch(message);
    expect(error?.line).toBe(line);
  });

  it('fails the file on an item over maxRowBytes, after the items before it', async () => {
    const text = `[{"inputs": {"q": 1}},\n{"inputs": {"q": "${'x'.repeat(200)}"}}]`;
    const { rows, error } = await read('json', text, { maxRowBytes: 100 });
    expect(rows).toHaveLength(1);
    expect(error?.message).toMatch(
      /Test case 2 \(starting at line 2\) is larger than the limit of 100 bytes/,
    );
    expect(error?.line).toBe(2);
  });

  it('reads an empty array and an export without cases', async () => {
    expect((await read('json', '[]')).rows).toEqual([]);
    expect((await read('json', '{"version":1,"count":0,"test_cases":[\n]}\n')).rows).toEqual([]);
  });
});

describe('JSONL reader', () => {
  it('reads one case per line, skipping blank lines, with row errors for bad lines', async () => {
    const text = [
      '{"name": "a", "inputs": {"q": "x"}}',
      '',
      '   ',
      '{"name": "b", "inputs": {"q": "y"}',
      '[1]',
      '{"inputs": {"q": "z"}, "tags": ["t"]}\r',
    ].join('\n');
    const { rows, error } = await read('jsonl', text);
    expect(error).toBeUndefined();
    expect(rows.map((r) => [r.row, r.line, r.errors.length])).toEqual([
      [1, 1, 0],
      [2, 4, 1],
      [3, 5, 1],
      [4, 6, 0],
    ]);
    expect(rows[3].record).toEqual(record({ inputs: { q: 'z' }, tags: ['t'] }));
  });

  it('fails the file on a line over maxRowBytes', async () => {
    const { rows, error } = await read(
      'jsonl',
      `{"inputs":{"q":1}}\n{"inputs":{"q":"${'x'.repeat(200)}"}}\n`,
      {
        maxRowBytes: 100,
      },
    );
    expect(rows).toHaveLength(1);
    expect(error?.line).toBe(2);
  });
});
