import { decodeCell, decodeFlag, decodeTags, encodeCell, encodeTags } from './csv-cells';

/** The rule decodeCell implements, without its shortcut: JSON when it parses, else the text. */
function reference(text: string) {
  if (text === '') return undefined;
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    if (/^\s*[[{]/.test(text)) return { ok: false, error: (e as Error).message };
    return { ok: true, value: text };
  }
}

const SAMPLES = [
  '42',
  ' 42 ',
  '-0',
  '-',
  '1.',
  '.5',
  '1e5',
  '1E+5',
  '01',
  '1 2',
  '0x10',
  'Infinity',
  'NaN',
  'true',
  ' false\n',
  'null',
  'nul',
  'True',
  'trueish',
  'n/a',
  'no',
  'yes',
  'f',
  '"x"',
  '"x',
  '"a"b"',
  '""',
  '"\\u00e9"',
  "'single'",
  '{"a":1}',
  ' [1, 2] ',
  '{',
  '[1,',
  '{a:1}',
  '\u00a0{"a":1}',
  '\t{"a":1}',
  'plain text',
  ' ',
  '\n',
  'What is 2+2?',
  '5 apples',
  '-dash',
  '😀',
  'é',
];

describe('CSV cells', () => {
  it.each(SAMPLES)('decodes %p exactly like JSON.parse-or-text', (text) => {
    expect(decodeCell(text)).toEqual(reference(text));
  });

  it.each([...SAMPLES, '', '  spaced  '])(
    'encodes the string %p so that it reads back as itself',
    (text) => {
      expect(decodeCell(encodeCell(text))).toEqual({ ok: true, value: text });
    },
  );

  it.each([42, -1.5, 0, true, false, null, { a: [1, 'x'] }, [], ['a']])(
    'encodes %p as JSON',
    (value) => {
      expect(encodeCell(value)).toBe(JSON.stringify(value));
      expect(decodeCell(encodeCell(value))).toEqual({ ok: true, value });
    },
  );

  it('leaves plain strings readable and writes absent values as empty cells', () => {
    expect(encodeCell('What is 2+2?')).toBe('What is 2+2?');
    expect(encodeCell('42')).toBe('"42"');
    expect(encodeCell(undefined)).toBe('');
  });

  it.each<[string[], string]>([
    [[], ''],
    [['a', 'b'], 'a,b'],
    [['a,b', 'c'], '["a,b","c"]'],
    [[' padded'], '[" padded"]'],
    [['[x]', 'y'], '["[x]","y"]'],
    [['y', '[x]'], 'y,[x]'],
  ])('tags %p ↔ %p', (tags, cell) => {
    expect(encodeTags(tags)).toBe(cell);
    expect(decodeTags(cell)).toEqual({ ok: true, tags });
  });

  it('reads comma tags loosely and rejects a broken JSON list', () => {
    expect(decodeTags(' a , ,b,, ')).toEqual({ ok: true, tags: ['a', 'b'] });
    expect(decodeTags('["a", 1]')).toMatchObject({ ok: false });
    expect(decodeTags('[a')).toMatchObject({ ok: false });
  });

  it.each<[string, boolean | undefined]>([
    ['yes', true],
    ['TRUE', true],
    [' 1 ', true],
    ['no', false],
    ['False', false],
    ['0', false],
    ['', false],
    ['maybe', undefined],
    ['2', undefined],
  ])('flag %p → %p', (text, flag) => {
    expect(decodeFlag(text)).toBe(flag);
  });
});
