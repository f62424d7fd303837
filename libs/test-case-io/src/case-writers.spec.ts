import { Readable } from 'node:stream';
import {
  csvColumns,
  csvHeaderLine,
  csvRowLine,
  jsonExportHead,
  jsonExportItem,
  jsonExportTail,
  jsonlLine,
} from './case-writers';
import { templateFor } from './case-template';
import { parseCases } from './parse-cases';
import type { CaseRecord, ExportFormat, ParsedRow } from './types';

const base = (over: Partial<CaseRecord>): CaseRecord => ({
  description: null,
  inputs: {},
  expected_outputs: {},
  tags: [],
  is_golden: false,
  is_generated: false,
  ...over,
});

/** Values that a careless encoding would turn into something else on the way back. */
const TRICKY: CaseRecord[] = [
  base({
    name: 'numbers as strings',
    inputs: { a: '42', b: '-1.5e3', c: 'true', d: 'null', e: '"x"', f: 42, g: true, h: null },
    expected_outputs: { response: '0' },
    tags: ['plain', 'tags'],
    is_golden: true,
  }),
  base({
    name: 'empty and whitespace',
    description: '  leading and trailing  ',
    inputs: { empty: '', space: ' ', padded: ' 7 ', nl: '\n', opens: '{not json', arr: '[1, 2' },
    expected_outputs: { trimmed: '  {"a":1}  ' },
    tags: ['with, comma', 'other'],
  }),
  base({
    name: 'nested, unicode, quotes',
    description: 'Line one\nLine "two", with a comma\r\nand CRLF',
    inputs: {
      obj: { list: [1, 'two', { three: [null, false] }], emoji: '😀 ü 中文' },
      quotes: 'He said "hi", then \'bye\'',
      multi: 'a\nb\r\nc',
      unicode: 'naïve café — 東京',
    },
    expected_outputs: { answer: ['x', 'y'], score: 0.25 },
    tags: ['[bracket-first]', 'ünïcode'],
    is_generated: true,
  }),
  base({ inputs: { q: 'no name' }, tags: [' padded '] }),
];

function write(format: ExportFormat, records: CaseRecord[]): string {
  switch (format) {
    case 'csv': {
      const columns = csvColumns(
        records.flatMap((r) => Object.keys(r.inputs)),
        records.flatMap((r) => Object.keys(r.expected_outputs)),
      );
      return csvHeaderLine(columns) + records.map((r) => csvRowLine(columns, r)).join('');
    }
    case 'json':
      return (
        jsonExportHead({
          project_id: 3,
          exported_at: '2024-05-01T10:00:00.000Z',
          count: records.length,
        }) +
        records.map((r, i) => jsonExportItem(r, i)).join('') +
        jsonExportTail()
      );
    case 'jsonl':
      return records.map(jsonlLine).join('');
  }
}

const chunks = (text: string) => Readable.from([Buffer.from(text, 'utf8')]);

async function readBack(format: ExportFormat, text: string): Promise<ParsedRow[]> {
  const rows: ParsedRow[] = [];
  for await (const row of parseCases(chunks(text), format)) rows.push(row);
  return rows;
}

describe('writers', () => {
  it.each(['csv', 'json', 'jsonl'] as const)(
    '%s round-trips tricky values exactly',
    async (format) => {
      const text = write(format, TRICKY);
      const rows = await readBack(format, text);
      expect(rows.flatMap((r) => r.errors)).toEqual([]);
      expect(rows.flatMap((r) => r.warnings)).toEqual([]);
      const records = rows.map((r) => r.record);
      // CSV has no cell for a key that is absent; every other value comes back identical.
      expect(records).toEqual(TRICKY);
      // Re-exporting what was read gives the same bytes.
      expect(write(format, records as CaseRecord[])).toBe(text);
    },
  );

  it('writes fields in one order whatever order the record has', () => {
    const shuffled = {
      is_generated: false,
      tags: ['t'],
      inputs: { q: 1 },
      name: 'n',
      is_golden: true,
      expected_outputs: {},
      description: 'd',
    } as CaseRecord;
    expect(jsonlLine(shuffled)).toBe(
      '{"name":"n","description":"d","inputs":{"q":1},"expected_outputs":{},"tags":["t"],"is_golden":true,"is_generated":false}\n',
    );
  });

  it('writes the JSON export shape, one case per line', () => {
    const text = write('json', [
      base({ name: 'a', inputs: { q: 1 } }),
      base({ name: 'b', inputs: { q: 2 } }),
    ]);
    expect(text.split('\n')).toEqual([
      '{"version":1,"project_id":3,"exported_at":"2024-05-01T10:00:00.000Z","count":2,"test_cases":[',
      '{"name":"a","description":null,"inputs":{"q":1},"expected_outputs":{},"tags":[],"is_golden":false,"is_generated":false},',
      '{"name":"b","description":null,"inputs":{"q":2},"expected_outputs":{},"tags":[],"is_golden":false,"is_generated":false}',
      ']}',
      '',
    ]);
    expect(JSON.parse(write('json', []))).toEqual({
      version: 1,
      project_id: 3,
      exported_at: '2024-05-01T10:00:00.000Z',
      count: 0,
      test_cases: [],
    });
  });

  it('writes CSV columns in the convention order and cells as the reader expects', () => {
    const columns = csvColumns(['q', 'ctx', 'q'], ['response']);
    expect(columns).toEqual([
      'name',
      'description',
      'input.q',
      'input.ctx',
      'expected.response',
      'tags',
      'is_golden',
      'is_generated',
    ]);
    expect(csvHeaderLine(columns)).toBe(
      'name,description,input.q,input.ctx,expected.response,tags,is_golden,is_generated\n',
    );
    const line = csvRowLine(
      columns,
      base({ name: 'n', inputs: { q: '42', ctx: { a: 1 } }, tags: ['a', 'b'], is_golden: true }),
    );
    expect(line).toBe('n,,"""42""","{""a"":1}",,"a,b",true,false\n');
  });
});

describe('templateFor', () => {
  const signature = {
    input_schema: [
      { name: 'question', type: 'string' as const, required: true },
      { name: 'top_k', type: 'integer' as const, required: false },
      { name: 'filters', type: 'object' as const, required: false },
    ],
    output_schema: [
      { name: 'answer', type: 'string' as const, required: true },
      { name: 'confidence', type: 'number' as const, required: true },
      { name: 'sources', type: 'array' as const, required: false },
    ],
  };

  it('builds CSV columns and an example row from the signature, which import as a case', async () => {
    const template = templateFor('csv', signature);
    expect(template.filename).toBe('test-cases-template.csv');
    expect(template.content_type).toBe('text/csv; charset=utf-8');
    expect(template.body.split('\n')[0]).toBe(
      'name,description,input.question,input.top_k,input.filters,expected.answer,expected.confidence,expected.sources,tags,is_golden,is_generated',
    );
    const [row] = await readBack('csv', template.body);
    expect(row.errors).toEqual([]);
    expect(row.record?.inputs).toEqual({
      question: 'example question',
      top_k: 1,
      filters: { key: 'value' },
    });
    expect(row.record?.expected_outputs).toEqual({
      answer: 'example answer',
      confidence: 0.5,
      sources: ['example sources item'],
    });
  });

  it.each([
    ['json', signature],
    ['json', undefined],
    ['csv', undefined],
  ] as const)('gives a %s template that imports (signature: %p)', async (format, sig) => {
    const template = templateFor(format, sig);
    const rows = await readBack(format, template.body);
    expect(rows).toHaveLength(1);
    expect(rows[0].errors).toEqual([]);
    expect(Object.keys(rows[0].record?.inputs ?? {})).toEqual(
      sig ? ['question', 'top_k', 'filters'] : ['question', 'context'],
    );
  });
});
