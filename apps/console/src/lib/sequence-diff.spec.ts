/// <reference types="jest" />
import { diffLines, diffSequences, splitWords } from './sequence-diff';

/** Applies a diff: the kept and added items must give `b`, the kept and removed ones `a`. */
function sides(items: ReturnType<typeof diffSequences>) {
  return {
    a: items.filter((i) => i.op !== 'add').map((i) => i.text),
    b: items.filter((i) => i.op !== 'del').map((i) => i.text),
  };
}

describe('diffSequences', () => {
  it.each([
    [[], []],
    [['a'], []],
    [[], ['a']],
    [
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ],
    [
      ['a', 'b', 'c'],
      ['a', 'x', 'c'],
    ],
    [
      ['a', 'b', 'c', 'a', 'b', 'b', 'a'],
      ['c', 'b', 'a', 'b', 'a', 'c'],
    ],
    [['x'], ['y']],
  ])('reconstructs both sides of %j → %j', (a, b) => {
    const items = diffSequences(a, b);
    expect(sides(items)).toEqual({ a, b });
  });

  it('finds the shortest edit script (Myers: ABCABBA → CBABAC takes 5 edits)', () => {
    const items = diffSequences([...'ABCABBA'], [...'CBABAC']);
    expect(items.filter((i) => i.op !== 'same')).toHaveLength(5);
  });

  it('keeps a one-line change to one removed and one added line', () => {
    const items = diffSequences(['intro', 'old line', 'outro'], ['intro', 'new line', 'outro']);
    expect(items).toEqual([
      { op: 'same', text: 'intro' },
      { op: 'del', text: 'old line' },
      { op: 'add', text: 'new line' },
      { op: 'same', text: 'outro' },
    ]);
  });

  it('reconstructs random edits of random sequences', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: rand(30) }, () => 'abcde'[rand(5)]);
      const b = a.flatMap((x) =>
        rand(4) === 0 ? [] : rand(5) === 0 ? [x, 'abcde'[rand(5)]] : [x],
      );
      expect(sides(diffSequences(a, b))).toEqual({ a, b });
    }
  });
});

describe('diffLines', () => {
  it('marks the changed word inside a changed line', () => {
    const lines = diffLines('Answer kindly.\nThanks', 'Answer briefly.\nThanks');
    expect(lines.map((l) => l.op)).toEqual(['del', 'add', 'same']);
    const added = lines[1].words?.filter((w) => w.op === 'add').map((w) => w.text);
    const removed = lines[0].words?.filter((w) => w.op === 'del').map((w) => w.text);
    expect(added).toEqual(['briefly.']);
    expect(removed).toEqual(['kindly.']);
  });

  it('gives no word diff to lines without a counterpart', () => {
    const lines = diffLines('a', 'a\nb');
    expect(lines).toEqual([
      { op: 'same', text: 'a' },
      { op: 'add', text: 'b' },
    ]);
  });

  it('splits words so that they join back to the line', () => {
    const text = '  two  spaces\tand a tab ';
    expect(splitWords(text).join('')).toBe(text);
  });
});
