import { TokenIds, indelDistance, lcsLength, levenshteinDistance } from './distance';
import { codePoints } from './text';

const cp = codePoints;

describe('levenshteinDistance', () => {
  it.each<[string, string, number]>([
    ['', '', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['sitting', 'kitten', 3],
    ['flaw', 'lawn', 2],
    ['saturday', 'sunday', 3],
    ['abc', 'abc', 0],
    ['abc', 'cba', 2],
    ['a😀b', 'ab', 1],
    ['prefix-same-suffix', 'prefix-diff-suffix', 4],
  ])('%p → %p = %p', (a, b, d) => {
    expect(levenshteinDistance(cp(a), cp(b))).toBe(d);
  });
});

describe('lcsLength and indelDistance', () => {
  it.each<[string, string, number]>([
    ['', '', 0],
    ['abc', '', 0],
    ['ABCBDAB', 'BDCABA', 4],
    ['kitten', 'sitting', 4],
    ['abc', 'abc', 3],
    ['xaybz', 'ab', 2],
  ])('%p / %p: LCS %p', (a, b, lcs) => {
    expect(lcsLength(cp(a), cp(b))).toBe(lcs);
    expect(lcsLength(cp(b), cp(a))).toBe(lcs);
    expect(indelDistance(cp(a), cp(b))).toBe(a.length + b.length - 2 * lcs);
  });
});

describe('TokenIds', () => {
  it('gives equal tokens equal ids across sequences', () => {
    const ids = new TokenIds();
    const a = ids.of(['the', 'cat', 'the']);
    const b = ids.of(['cat', 'dog']);
    expect(Array.from(a)).toEqual([0, 1, 0]);
    expect(Array.from(b)).toEqual([1, 2]);
  });
});
