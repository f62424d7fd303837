import { detectFormat, type FormatHints } from './detect-format';

describe('detectFormat', () => {
  it.each<[string, FormatHints, ReturnType<typeof detectFormat>]>([
    [
      '.csv with input. columns',
      { filename: 'cases.csv', head: 'name,input.q,expected.a\n' },
      'csv',
    ],
    [
      '.csv with __expected',
      { filename: 'tests.CSV', head: 'input.q,__expected\n' },
      'promptfoo_csv',
    ],
    [
      '.csv without input. columns',
      { filename: 'tests.csv', head: 'question,answer\n' },
      'promptfoo_csv',
    ],
    ['.csv without a head', { filename: 'tests.csv' }, 'csv'],
    ['.json', { filename: 'export.json', head: '{"version":1' }, 'json'],
    ['.jsonl', { filename: 'a.jsonl', head: '[' }, 'jsonl'],
    ['.ndjson', { filename: 'a.ndjson' }, 'jsonl'],
    ['.yaml', { filename: 'promptfooconfig.yaml' }, 'promptfoo_yaml'],
    ['.yml', { filename: 'tests.yml' }, 'promptfoo_yaml'],
    ['text/csv', { contentType: 'text/csv; charset=utf-8', head: 'name,input.q\n' }, 'csv'],
    ['application/x-ndjson', { contentType: 'application/x-ndjson' }, 'jsonl'],
    ['application/yaml', { contentType: 'application/yaml' }, 'promptfoo_yaml'],
    [
      'application/json holding JSON Lines',
      { contentType: 'application/json', head: '{"inputs":{}}\n{"inputs":{}}\n' },
      'jsonl',
    ],
    [
      'application/json holding an export',
      { contentType: 'application/json', head: '{"version":1,"test_cases":[' },
      'json',
    ],
    [
      'an unknown extension falls back to sniffing',
      { filename: 'x.txt', head: '[{"inputs":{}}]' },
      'json',
    ],
    [
      'a generic content type falls back to sniffing',
      { contentType: 'application/octet-stream', head: '- vars: {}' },
      'promptfoo_yaml',
    ],
    ['sniff: array', { head: '  \n[\n' }, 'json'],
    ['sniff: pretty export object', { head: '{\n  "version": 1,\n' }, 'json'],
    ['sniff: JSON Lines', { head: '{"name":"a","inputs":{"q":1}}\n{"name":"b"' }, 'jsonl'],
    ['sniff: a minified object with test_cases', { head: '{"test_cases":[]}\n' }, 'json'],
    ['sniff: YAML list', { head: '- vars:\n    q: 1\n' }, 'promptfoo_yaml'],
    ['sniff: YAML mapping', { head: 'description: suite\ntests:\n' }, 'promptfoo_yaml'],
    ['sniff: YAML comment', { head: '# tests\n' }, 'promptfoo_yaml'],
    ['sniff: CSV header with input.', { head: '\uFEFFname,"input.q",is_golden\r\n' }, 'csv'],
    ['sniff: promptfoo CSV header', { head: 'question,__expected\n' }, 'promptfoo_csv'],
    ['sniff: a Buffer head', { head: Buffer.from('name,input.q\n') }, 'csv'],
    ['nothing to go on', { head: '   ' }, null],
    ['no hints', {}, null],
  ])('%s', (_name, hints, expected) => {
    expect(detectFormat(hints)).toBe(expected);
  });
});
