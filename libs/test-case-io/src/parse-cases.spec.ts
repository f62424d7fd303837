import { Readable } from 'node:stream';
import { parseCases } from './parse-cases';
import type { ImportFormat, ParsedRow } from './types';

/** The file in chunks whose sizes cycle through 1..7 bytes, splitting multi-byte characters. */
function smallChunks(text: string): Readable {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let size = 1;
  for (let at = 0; at < bytes.length; at += size, size = (size % 7) + 1) {
    parts.push(bytes.subarray(at, at + size));
  }
  return Readable.from(parts);
}

const whole = (text: string) => Readable.from([text]);

async function collect(source: AsyncIterable<Buffer | string>, format: ImportFormat) {
  const rows: ParsedRow[] = [];
  for await (const row of parseCases(source, format)) rows.push(row);
  return rows;
}

const FILES: Record<ImportFormat, string> = {
  csv: [
    '\uFEFFname,description,input.q,input.n,expected.response,tags,is_golden',
    'café,"multi\r\nline ✓",naïve 東京,3,"{""a"": [1, ""]""]}","x, y",yes',
    'second,,"quoted ""text""",,😀,,no',
    'bad,,"{broken",,,,maybe',
  ].join('\r\n'),
  json: `{"version":1,"test_cases":[\n{"name":"é","inputs":{"q":"] } \\" ["}},\n{"inputs":{"q":"😀"},"tags":["t"]},\n{"inputs":}\n]}`,
  jsonl: '{"name":"a","inputs":{"q":"ü"}}\n\n{"inputs":{"q":"😀"}}\n{bad}\n',
  promptfoo_yaml: [
    'tests:',
    '  - description: "première"',
    '    vars: {q: "東京"}',
    '    assert:',
    '      - type: icontains',
    '        value: tokyo',
    '  - vars: {q: two}',
  ].join('\n'),
  promptfoo_csv: 'q,__expected\n"multi\nline é",similar(0.8):😀 text\nplain,contains:x\n',
};

describe('parseCases streaming', () => {
  it.each(Object.keys(FILES) as ImportFormat[])(
    '%s: chunks of 1-7 bytes give the same rows as the whole file',
    async (format) => {
      const expected = await collect(whole(FILES[format]), format);
      expect(expected.length).toBeGreaterThanOrEqual(2);
      expect(expected.some((r) => r.record !== undefined)).toBe(true);
      await expect(collect(smallChunks(FILES[format]), format)).resolves.toEqual(expected);
    },
  );

  it.each(['csv', 'json', 'jsonl', 'promptfoo_csv'] as const)(
    '%s: yields the first row before the rest of the file has arrived',
    async (format) => {
      // csv-parse looks a few bytes ahead before it ends a record, so the CSV heads hold a
      // second row: what is tested is that rows come out while the file is still arriving.
      const [head, tail] = {
        csv: ['input.q\nfirst\nsecond\n', 'third\n'],
        promptfoo_csv: ['q\nfirst\nsecond\n', 'third\n'],
        json: ['[{"inputs":{"q":"first"}},{"inputs":{"q":"second"}},', '{"inputs":{"q":"third"}}]'],
        jsonl: [
          '{"inputs":{"q":"first"}}\n{"inputs":{"q":"second"}}\n',
          '{"inputs":{"q":"third"}}\n',
        ],
      }[format];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      async function* source() {
        yield head;
        await gate; // the rest of the upload arrives only once the first row was read
        yield tail;
      }
      const rows = parseCases(source(), format);
      const timeout = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the reader waited for the whole file')), 2_000).unref(),
      );
      const first = (await Promise.race([rows.next(), timeout])) as IteratorResult<ParsedRow>;
      expect(first.value?.record?.inputs).toEqual({ q: 'first' });
      release();
      const rest: ParsedRow[] = [];
      for await (const row of rows) rest.push(row);
      expect(rest.map((r) => r.record?.inputs)).toEqual([{ q: 'second' }, { q: 'third' }]);
    },
  );

  it('stops reading the source when the consumer stops early', async () => {
    let pulled = 0;
    function* source() {
      yield 'input.q\n';
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield `row ${i}\n`;
      }
    }
    for await (const row of parseCases(Readable.from(source()), 'csv')) {
      if (row.row === 3) break;
    }
    expect(pulled).toBeLessThan(10);
  });
});
