import {
  canonicalJson,
  codePoints,
  countWords,
  getField,
  normaliseText,
  parseJson,
  toText,
  tokenize,
} from './text';

describe('toText', () => {
  it.each<[unknown, string]>([
    ['plain', 'plain'],
    ['', ''],
    [null, ''],
    [undefined, ''],
    [42, '42'],
    [-0.5, '-0.5'],
    [NaN, 'NaN'],
    [true, 'true'],
    [10n, '10'],
    [{ b: 1, a: [2, { d: 3, c: 4 }] }, '{"a":[2,{"c":4,"d":3}],"b":1}'],
    [[1, 'x'], '[1,"x"]'],
  ])('%p → %p', (value, text) => {
    expect(toText(value)).toBe(text);
  });

  it('survives values JSON cannot hold', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(toText(cyclic)).toBe('[object Object]');
    expect(canonicalJson({ n: 1n })).toBe('[object Object]');
  });
});

describe('normaliseText', () => {
  it('NFC-normalises, trims and lower-cases on request', () => {
    const decomposed = 'Cafe\u0301 ';
    expect(normaliseText(decomposed)).toBe('Café');
    expect(normaliseText(decomposed, { trim: false })).toBe('Café ');
    expect(normaliseText(decomposed, { caseSensitive: false })).toBe('café');
  });
});

describe('codePoints', () => {
  it('counts astral characters once', () => {
    expect(codePoints('a😀b')).toHaveLength(3);
    expect(codePoints('')).toEqual([]);
  });
});

describe('tokenize', () => {
  it.each<[string, boolean, string[]]>([
    ['Hello, world!', true, ['hello', 'world']],
    ['Hello, world!', false, ['Hello', 'world']],
    ["don't stop-me now...", true, ['don', 't', 'stop', 'me', 'now']],
    ['  ', true, []],
    ['', true, []],
    ['naïve café Ünïcode', true, ['naïve', 'café', 'ünïcode']],
    ['Zürich 2024: 3.5%', true, ['zürich', '2024', '3', '5']],
    ['東京へ行く', true, ['東', '京', 'へ', '行', 'く']],
    ['abc中文def', true, ['abc', '中', '文', 'def']],
    ['Привет, мир', true, ['привет', 'мир']],
    ['emoji 😀 here', true, ['emoji', 'here']],
  ])('%p (lowercase %p)', (text, lowercase, tokens) => {
    expect(tokenize(text, lowercase)).toEqual(tokens);
  });
});

describe('countWords', () => {
  it.each<[string, number]>([
    ['', 0],
    ['one', 1],
    ['  two   words ', 2],
    ['a\nb\tc', 3],
  ])('%p has %p words', (text, n) => {
    expect(countWords(text)).toBe(n);
  });
});

describe('parseJson', () => {
  it.each<[unknown, unknown]>([
    ['{"a":1}', { a: 1 }],
    ['  [1,2] ', [1, 2]],
    ['42', 42],
    ['"text"', 'text'],
    ['null', null],
    ['```json\n{"a": 1}\n```', { a: 1 }],
    ['```\n[true]\n```', [true]],
    [{ a: 1 }, { a: 1 }],
    [[1], [1]],
    [3, 3],
    [false, false],
    [null, null],
  ])('%p parses', (value, parsed) => {
    expect(parseJson(value)).toEqual({ ok: true, value: parsed });
  });

  it.each<[unknown]>([
    ['hello'],
    [''],
    ['   '],
    ['{"a":'],
    ["{'a': 1}"],
    ['Here it is: {"a":1}'],
    [undefined],
    [NaN],
    [Infinity],
    [() => 1],
  ])('%p is not JSON', (value) => {
    expect(parseJson(value)).toEqual({ ok: false });
  });
});

describe('getField', () => {
  const value = { label: 'x', 'a.b': 'dotted key', a: { b: 'nested', list: [10, 20] } };
  it.each<[string, unknown]>([
    ['label', 'x'],
    ['a.b', 'dotted key'],
    ['a.list.1', 20],
    ['a.list.5', undefined],
    ['missing', undefined],
    ['label.deeper', undefined],
  ])('%p → %p', (field, expected) => {
    expect(getField(value, field)).toEqual(expected);
  });

  it('reads nothing from non-objects', () => {
    expect(getField('text', 'length')).toBeUndefined();
    expect(getField(null, 'a')).toBeUndefined();
  });
});
