import { CaseDeduper, normalisedKey } from './case-dedupe';

describe('CaseDeduper', () => {
  it.each([
    [{ text: 'Hello World' }, { text: '  hello   world ' }],
    [{ text: 'What is 2+2?' }, { text: 'what is 2+2' }],
    [
      { a: 1, b: 'x' },
      { b: 'X', a: 1 },
    ],
    [{ doc: { title: 'Ünïcode', tags: ['A'] } }, { doc: { tags: ['a'], title: 'ünïcode' } }],
    [{ text: 'ﬁle' }, { text: 'file' }],
  ])('treats %j and %j as the same case', (a, b) => {
    expect(normalisedKey(a)).toBe(normalisedKey(b));
    const deduper = new CaseDeduper([a]);
    expect(deduper.has(b)).toBe(true);
    expect(deduper.add(b)).toBe(false);
  });

  it.each([
    [{ text: 'hello' }, { text: 'hullo' }],
    [{ n: 1 }, { n: 2 }],
    [{ n: 1 }, { n: '1' }],
    [{ text: '"quoted"' }, { text: 'quoted' }],
    [{ list: ['a', 'b'] }, { list: ['b', 'a'] }],
    [{ text: 'a' }, { text: 'a', extra: true }],
  ])('keeps %j and %j apart', (a, b) => {
    const deduper = new CaseDeduper([a]);
    expect(deduper.add(b)).toBe(true);
    expect(deduper.size).toBe(2);
  });

  it('treats long texts differing in one word of eighteen as near-duplicates', () => {
    const words =
      'the quick brown fox jumps over the lazy dog while a cat sleeps on the warm mat in the old house'.split(
        ' ',
      );
    const changed = [...words];
    changed[3] = 'wolf';
    const deduper = new CaseDeduper([{ text: words.join(' '), n: 3 }]);
    expect(deduper.has({ text: changed.join(' '), n: 3 })).toBe(true);
    // The same text with a different number is another case.
    expect(deduper.has({ text: changed.join(' '), n: 4 })).toBe(false);
    // Half the words replaced is another case.
    const half = words.map((w, i) => (i % 2 ? `other${i}` : w));
    expect(deduper.has({ text: half.join(' '), n: 3 })).toBe(false);
  });

  it('checks short texts exactly, so similar short inputs stay distinct', () => {
    const deduper = new CaseDeduper([{ text: 'sample text 1' }]);
    expect(deduper.add({ text: 'sample text 2' })).toBe(true);
  });
});
