import { Readable } from 'node:stream';
import { parseCases } from './parse-cases';
import { ImportFileError, type ParseOptions, type ParsedRow } from './types';

const chunks = (text: string) => Readable.from([Buffer.from(text, 'utf8')]);

async function read(text: string, options?: ParseOptions): Promise<ParsedRow[]> {
  const rows: ParsedRow[] = [];
  for await (const row of parseCases(chunks(text), 'csv', options)) rows.push(row);
  return rows;
}

/** The rows read before the file failed, and its ImportFileError. */
async function failure(text: string, options?: ParseOptions) {
  const rows: ParsedRow[] = [];
  try {
    for await (const row of parseCases(chunks(text), 'csv', options)) rows.push(row);
  } catch (e) {
    if (e instanceof ImportFileError) return { rows, error: e };
    throw e;
  }
  throw new Error('expected an ImportFileError');
}

const fileError = async (text: string, options?: ParseOptions) =>
  (await failure(text, options)).error;

describe('product CSV reader', () => {
  it('reads the original convention into exact records', async () => {
    const csv = [
      'name,description,input.customer_query,input.product_info,expected.response,tags,is_golden',
      'Refund request,Asks for a refund,I want my money back,"{""sku"": ""A-1"", ""price"": 19.5}",We will refund you within 5 days,"billing, refund",yes',
      'Shipping,,Where is my order?,Ships in 2 days,Your order ships soon,,no',
    ].join('\n');
    const rows = await read(csv);
    expect(rows).toEqual([
      {
        row: 1,
        line: 2,
        record: {
          name: 'Refund request',
          description: 'Asks for a refund',
          inputs: {
            customer_query: 'I want my money back',
            product_info: { sku: 'A-1', price: 19.5 },
          },
          expected_outputs: { response: 'We will refund you within 5 days' },
          tags: ['billing', 'refund'],
          is_golden: true,
          is_generated: false,
        },
        errors: [],
        warnings: [],
        suggested_metrics: [],
      },
      {
        row: 2,
        line: 3,
        record: {
          name: 'Shipping',
          description: null,
          inputs: { customer_query: 'Where is my order?', product_info: 'Ships in 2 days' },
          expected_outputs: { response: 'Your order ships soon' },
          tags: [],
          is_golden: false,
          is_generated: false,
        },
        errors: [],
        warnings: [],
        suggested_metrics: [],
      },
    ]);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('gives the line each row starts on with multi-line cells (%s)', async (_name, eol) => {
    const csv = [
      'name,input.q',
      'a,"first',
      'second',
      'third"',
      '',
      'b,plain',
      'c,"x',
      'y"',
      'd,last',
    ].join(eol);
    const rows = await read(csv);
    expect(rows.map((r) => [r.row, r.line, r.record?.name])).toEqual([
      [1, 2, 'a'],
      [2, 6, 'b'],
      [3, 7, 'c'],
      [4, 9, 'd'],
    ]);
    expect(rows[0].record?.inputs.q).toBe(`first${eol}second${eol}third`);
  });

  it('reports row errors and keeps reading the other rows', async () => {
    const csv = [
      'name,input.q,input.ctx,is_golden',
      'ok1,hello,,no',
      'badjson,"{""a"": 1",,no',
      'noinputs,,,yes',
      'badflag,hi,,maybe',
      'short,hi',
      'ok2,"[1,2]",3,TRUE',
    ].join('\n');
    const rows = await read(csv);
    expect(
      rows.map((r) => [r.line, r.record?.name ?? null, r.errors.map((e) => e.field ?? null)]),
    ).toEqual([
      [2, 'ok1', []],
      [3, null, ['input.q']],
      [4, null, ['inputs']],
      [5, null, ['is_golden']],
      [6, null, [null]],
      [7, 'ok2', []],
    ]);
    expect(rows[1].errors[0].message).toMatch(/^bad JSON in input\.q: /);
    expect(rows[2].errors[0].message).toMatch(/missing inputs/);
    expect(rows[3].errors[0].message).toContain('"maybe"');
    expect(rows[4].errors[0].message).toBe('The row has 2 cells; the header has 4 columns.');
    expect(rows[5].record?.inputs).toEqual({ q: [1, 2], ctx: 3 });
    expect(rows[5].record?.is_golden).toBe(true);
  });

  it('JSON-parses value cells but keeps name and description as text', async () => {
    const csv = [
      'name,description,input.a,input.b,input.c,input.d,input.e,expected.x',
      '42,true,42,"""quoted""",null,  spaced  ,text with { brace,false',
    ].join('\n');
    const [row] = await read(csv);
    expect(row.record).toMatchObject({
      name: '42',
      description: 'true',
      inputs: { a: 42, b: 'quoted', c: null, d: '  spaced  ', e: 'text with { brace' },
      expected_outputs: { x: false },
    });
  });

  it('accepts tags as a JSON array, is_generated, any column order, a BOM and blank lines', async () => {
    const csv = '\uFEFFis_generated,tags,input.q,name\r\n\r\n1,"[""a,b"", ""c""]",hi,n1\r\n';
    const rows = await read(csv);
    expect(rows).toHaveLength(1);
    expect(rows[0].line).toBe(3);
    expect(rows[0].record).toMatchObject({ name: 'n1', tags: ['a,b', 'c'], is_generated: true });
  });

  it('warns once, on the first row, about columns it does not import', async () => {
    const rows = await read('input.q,score,__expected\nhi,1,x\nho,2,y\n');
    expect(rows[0].warnings).toEqual([
      'Columns not imported (not part of the format): score, __expected.',
    ]);
    expect(rows[1].warnings).toEqual([]);
    expect(rows[0].record?.inputs).toEqual({ q: 'hi' });
  });

  it('applies the case limits as row errors', async () => {
    const tags = Array.from({ length: 51 }, (_, i) => `t${i}`).join(',');
    const csv = [
      'name,description,input.q,tags',
      `${'n'.repeat(201)},,x,`,
      `ok,${'d'.repeat(10_001)},x,`,
      `ok2,,x,"${tags}"`,
      `ok3,,x,${'t'.repeat(51)}`,
    ].join('\n');
    const rows = await read(csv);
    expect(rows.map((r) => r.errors.map((e) => e.field))).toEqual([
      ['name'],
      ['description'],
      ['tags'],
      ['tags'],
    ]);
    expect(rows.every((r) => r.record === undefined)).toBe(true);
  });

  it.each([
    ['a header without input. columns', 'name,question\na,b\n', /no input\.<field> column/, 1],
    ['a duplicate column', 'input.q,input.q\na,b\n', /appears twice/, 1],
    ['an empty file', '', /empty/, undefined],
    ['an unclosed quote', 'input.q\nok\n"never closed\nmore\n', /line 3 opens a quoted cell/, 3],
  ])('fails the file on %s', async (_name, csv, message, line) => {
    const error = await fileError(csv);
    expect(error.message).toMatch(message);
    expect(error.line).toBe(line);
  });

  it('returns the rows before a broken quote, then fails at the row that opens it', async () => {
    const { rows, error } = await failure('input.q\nok\nfine\n"never closed\nmore\n');
    expect(rows.map((r) => r.record?.inputs.q)).toEqual(['ok', 'fine']);
    expect(error.line).toBe(4);
  });

  it('fails the file on a row over maxRowBytes, at the row that is too large', async () => {
    const csv = `input.q\nsmall\n"${'x'.repeat(300)}"\nafter\n`;
    await expect(read(csv, { maxRowBytes: 1000 })).resolves.toHaveLength(3);
    const { rows, error } = await failure(csv, { maxRowBytes: 100 });
    expect(rows.map((r) => r.record?.inputs.q)).toEqual(['small']);
    expect(error.message).toMatch(/line 3 is larger than the limit of 100 bytes/);
    expect(error.line).toBe(3);
    // Multi-byte text counts in bytes: 60 characters of 2 bytes each exceed 100 bytes.
    const multiByte = await failure(`input.q\nok\n${'é'.repeat(60)}\n`, { maxRowBytes: 100 });
    expect(multiByte.rows).toHaveLength(1);
    expect(multiByte.error.line).toBe(3);
  });

  it('fails the file on text that is not UTF-8', async () => {
    const rows = parseCases(Readable.from([Buffer.from('input.q\ncaf\xe9\n', 'latin1')]), 'csv');
    await expect(rows.next()).rejects.toThrow('not valid UTF-8');
  });
});
