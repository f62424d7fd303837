/**
 * Edit distances over sequences of numbers (code points or token ids). Plain dynamic
 * programming in O(n·m) time and O(min(n, m)) memory, after stripping the common prefix and
 * suffix.
 */

// Local aliases: looking up the global Math in a hot loop is slow inside vm contexts (Jest).
const { min, max } = Math;

function trimCommon(a: ArrayLike<number>, b: ArrayLike<number>): [number, number, number] {
  let start = 0;
  let endA = a.length;
  let endB = b.length;
  while (start < endA && start < endB && a[start] === b[start]) start++;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return [start, endA, endB];
}

/** Levenshtein distance: fewest insertions, deletions and substitutions turning a into b. */
export function levenshteinDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length < b.length) [a, b] = [b, a];
  const [start, endA, endB] = trimCommon(a, b);
  const n = endA - start;
  const m = endB - start;
  if (m === 0) return n;
  let prev = new Int32Array(m + 1);
  let curr = new Int32Array(m + 1);
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    curr[0] = i;
    const ai = a[start + i - 1];
    for (let j = 1; j <= m; j++) {
      const substitution = prev[j - 1] + (ai === b[start + j - 1] ? 0 : 1);
      const deletion = prev[j] + 1;
      const insertion = curr[j - 1] + 1;
      curr[j] = min(substitution, deletion, insertion);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[m];
}

/** Length of the longest common subsequence of a and b. */
export function lcsLength(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length < b.length) [a, b] = [b, a];
  const [start, endA, endB] = trimCommon(a, b);
  const common = start + (a.length - endA);
  const n = endA - start;
  const m = endB - start;
  if (m === 0) return common;
  let prev = new Int32Array(m + 1);
  let curr = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    const ai = a[start + i - 1];
    for (let j = 1; j <= m; j++) {
      curr[j] = ai === b[start + j - 1] ? prev[j - 1] + 1 : max(prev[j], curr[j - 1]);
    }
    [prev, curr] = [curr, prev];
  }
  return common + prev[m];
}

/** InDel distance: fewest insertions and deletions turning a into b (= |a| + |b| − 2·LCS). */
export function indelDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a.length + b.length - 2 * lcsLength(a, b);
}

/** Maps tokens to small integers shared by every sequence passed through the same instance. */
export class TokenIds {
  private readonly ids = new Map<string, number>();

  of(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    tokens.forEach((t, i) => {
      let id = this.ids.get(t);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(t, id);
      }
      out[i] = id;
    });
    return out;
  }
}
