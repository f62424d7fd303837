/**
 * Differences between two sequences (lines of a prompt, or words of a line) by Myers' O(ND)
 * algorithm: the shortest edit script, reported as runs of kept, removed and added items.
 */

export type DiffOp = 'same' | 'del' | 'add';

export interface DiffItem {
  op: DiffOp;
  text: string;
}

/** Past this many edits the two texts are shown as replaced wholesale (bounded memory). */
const MAX_EDITS = 2000;

export function diffSequences(a: readonly string[], b: readonly string[]): DiffItem[] {
  // Common prefix and suffix cost nothing to keep out of the search.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const head = a.slice(0, start).map((text) => ({ op: 'same' as const, text }));
  const tail = a.slice(endA).map((text) => ({ op: 'same' as const, text }));
  return [...head, ...middle(a.slice(start, endA), b.slice(start, endB)), ...tail];
}

function middle(a: readonly string[], b: readonly string[]): DiffItem[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((text) => ({ op: 'add', text }));
  if (m === 0) return a.map((text) => ({ op: 'del', text }));
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])
          ? v[offset + k + 1]
          : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, offset);
    }
  }
  return [
    ...a.map((text) => ({ op: 'del' as const, text })),
    ...b.map((text) => ({ op: 'add' as const, text })),
  ];
}

function backtrack(
  a: readonly string[],
  b: readonly string[],
  trace: Int32Array[],
  offset: number,
): DiffItem[] {
  const out: DiffItem[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
    const prevX = v[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      out.push({ op: 'same', text: a[x - 1] });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) out.push({ op: 'add', text: b[y - 1] });
      else out.push({ op: 'del', text: a[x - 1] });
    }
    x = prevX;
    y = prevY;
  }
  return out.reverse();
}

export const splitLines = (text: string): string[] => (text === '' ? [] : text.split(/\r?\n/));

/** Words and the whitespace between them, so that joining the pieces gives the text back. */
export const splitWords = (text: string): string[] => text.split(/(\s+)/).filter((t) => t !== '');

export interface LineChange {
  op: DiffOp;
  text: string;
  /** For a changed line paired with its counterpart: the words that differ. */
  words?: DiffItem[];
}

/**
 * A line diff where a removed line and the added line that replaces it (the n-th of each in a
 * changed block) carry a word diff, so a one-word edit in a long line shows as that word.
 */
export function diffLines(before: string, after: string): LineChange[] {
  const items = diffSequences(splitLines(before), splitLines(after));
  const out: LineChange[] = [];
  for (let i = 0; i < items.length;) {
    if (items[i].op === 'same') {
      out.push(items[i++]);
      continue;
    }
    const dels: string[] = [];
    const adds: string[] = [];
    while (i < items.length && items[i].op !== 'same') {
      if (items[i].op === 'del') dels.push(items[i].text);
      else adds.push(items[i].text);
      i++;
    }
    const pairs = Math.min(dels.length, adds.length);
    dels.forEach((text, j) =>
      out.push({
        op: 'del',
        text,
        ...(j < pairs ? { words: diffSequences(splitWords(text), splitWords(adds[j])) } : {}),
      }),
    );
    adds.forEach((text, j) =>
      out.push({
        op: 'add',
        text,
        ...(j < pairs ? { words: diffSequences(splitWords(dels[j]), splitWords(text)) } : {}),
      }),
    );
  }
  return out;
}
