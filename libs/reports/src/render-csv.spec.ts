import { renderComparisonCsv, renderCsv } from './render-csv';
import type { ReportCase } from './report-model';
import { comparisonReport, INJECTED_SCRIPT, UNICODE_OUTPUT, WORST_CASES } from './test-fixtures';

/** A strict RFC 4180 reader (CRLF records, "" inside quoted fields), independent of the writer. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i += 1;
        if (i < text.length && text[i] !== ',' && text[i] !== '\r') {
          throw new Error(`garbage after closing quote at ${i}`);
        }
      } else {
        field += c;
        i += 1;
      }
    } else if (c === '"') {
      if (field !== '') throw new Error(`quote inside unquoted field at ${i}`);
      quoted = true;
      i += 1;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else if (c === '\r' || c === '\n') {
      throw new Error(`bare line break outside quotes at ${i}`);
    } else {
      field += c;
      i += 1;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || record.length > 0) throw new Error('last record lacks CRLF');
  return records;
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

const METRICS = ['exact_match', 'similarity'];

describe('renderCsv', () => {
  it('writes a header and one RFC 4180 record per case that parse back to the same values', async () => {
    const lines = await collect(renderCsv(WORST_CASES, METRICS));
    expect(lines).toHaveLength(WORST_CASES.length + 1);
    // Every chunk is exactly one record ending in CRLF.
    for (const line of lines) {
      expect(line.endsWith('\r\n')).toBe(true);
      expect(parseCsv(line)).toHaveLength(1);
    }
    const [header, ...rows] = parseCsv(lines.join(''));
    expect(header).toEqual([
      'test_case_id',
      'name',
      'repeat_index',
      'status',
      'passed',
      'score',
      'exact_match',
      'similarity',
      'latency_ms',
      'cost',
      'output',
      'expected',
      'error',
      'inputs',
    ]);
    const byColumn = rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]])));
    expect(byColumn[0]).toEqual({
      test_case_id: '1',
      name: 'comma, "quote"',
      repeat_index: '0',
      status: 'ok',
      passed: 'false',
      score: '0.2',
      exact_match: '0',
      similarity: '0.4',
      latency_ms: '840',
      cost: '0.00123',
      output: 'Hello, "world"\nsecond line, with comma\r\nthird',
      expected: '{"answer":"Yes, within 30 days"}',
      error: '',
      inputs: '{"question":"Can I return shoes, \\"worn once\\"?","lang":"en"}',
    });
    expect(byColumn[1].output).toBe(UNICODE_OUTPUT);
    expect(byColumn[1].expected).toBe('"Café"');
    expect(byColumn[2].output).toBe(INJECTED_SCRIPT);
    expect(byColumn[3]).toMatchObject({
      name: '',
      status: 'timeout',
      passed: '',
      score: '',
      exact_match: '',
      similarity: '',
      latency_ms: '',
      cost: '0',
      output: '',
      expected: 'null',
      error: 'Timed out after 30000 ms',
      inputs: '{}',
    });
    expect(byColumn[4].expected).toBe('["a","b"]');
    expect(byColumn[4].output).toBe('| a | b |\n|---|---|\n# not a heading');
    for (const row of rows) expect(row).toHaveLength(header.length);
  });

  it('quotes only fields that need it', async () => {
    const [, first] = await collect(renderCsv([WORST_CASES[0]], METRICS));
    expect(first.startsWith('1,"comma, ""quote""",0,ok,false,0.2,0,0.4,840,0.00123,"Hello')).toBe(
      true,
    );
  });

  it('renames metric columns that would collide with fixed columns', async () => {
    const [header] = await collect(renderCsv([], ['score', 'bleu']));
    expect(parseCsv(header)[0]).toContain('metric:score');
    expect(parseCsv(header)[0]).toContain('bleu');
  });

  it('streams: 100,000 rows pulled one at a time, never read ahead', async () => {
    const total = 100_000;
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    async function* source(): AsyncGenerator<ReportCase> {
      for (let i = 0; i < total; i += 1) {
        produced += 1;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield { ...WORST_CASES[i % WORST_CASES.length], test_case_id: i };
        await Promise.resolve();
      }
    }
    let bytes = 0;
    let records = 0;
    for await (const line of renderCsv(source(), METRICS)) {
      if (records > 0) consumed += 1;
      records += 1;
      bytes += line.length;
    }
    expect(records).toBe(total + 1);
    expect(produced).toBe(total);
    expect(maxAhead).toBeLessThanOrEqual(1);
    expect(bytes).toBeGreaterThan(total * 50);
  });

  it('accepts a plain iterable', async () => {
    function* rows(): Iterable<ReportCase> {
      yield WORST_CASES[0];
    }
    expect(await collect(renderCsv(rows(), []))).toHaveLength(2);
  });
});

describe('renderComparisonCsv', () => {
  it('lists the per-case pairs in order', async () => {
    const report = comparisonReport();
    const [header, ...rows] = parseCsv((await collect(renderComparisonCsv(report))).join(''));
    expect(header).toEqual(['key', 'score_a', 'score_b', 'delta']);
    expect(rows).toHaveLength(report.comparison.cases.length);
    rows.forEach((row, i) => {
      const pair = report.comparison.cases[i];
      expect(row[0]).toBe(pair.key);
      expect(Number(row[1])).toBe(pair.a);
      expect(Number(row[2])).toBe(pair.b);
      expect(Number(row[3])).toBe(pair.delta);
    });
  });
});
