/**
 * Text helpers shared by the metrics: how outputs and expected values become text, tokens and
 * JSON.
 */

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export { isPlainObject };

/**
 * JSON with object keys sorted at every level, so that two equal objects give the same text
 * whatever their key order. Values JSON cannot hold (cycles, BigInt) fall back to `String()`.
 */
export function canonicalJson(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_key, v: unknown) =>
      isPlainObject(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, v[k]]),
          )
        : v,
    ) as string | undefined;
    return text ?? '';
  } catch {
    return String(value);
  }
}

/**
 * The text form of an output or expected value: strings as they are, `null`/`undefined` as the
 * empty string, numbers, booleans and bigints with `String()`, objects and arrays as canonical
 * JSON (sorted keys).
 */
export function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return canonicalJson(value);
    default:
      return '';
  }
}

export interface TextNormalisation {
  trim?: boolean;
  caseSensitive?: boolean;
}

/** `toText`, NFC-normalised, optionally trimmed and lower-cased. */
export function normaliseText(
  value: unknown,
  { trim = true, caseSensitive = true }: TextNormalisation = {},
): string {
  let text = toText(value).normalize('NFC');
  if (trim) text = text.trim();
  if (!caseSensitive) text = text.toLowerCase();
  return text;
}

/** Unicode code points of a string, as numbers. */
export function codePoints(text: string): number[] {
  const points: number[] = [];
  for (const ch of text) points.push(ch.codePointAt(0) as number);
  return points;
}

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}';
const TOKEN = new RegExp(`[${CJK}]|(?:(?![${CJK}])[\\p{L}\\p{M}\\p{N}])+`, 'gu');

/**
 * Word tokens of a text, as used by token_overlap, bleu and rouge_l: the text is NFC-normalised,
 * optionally lower-cased, and split on everything that is not a letter, combining mark or digit
 * (whitespace and punctuation separate tokens and are dropped). Each CJK ideograph, hiragana
 * or katakana character is a token of its own, since those scripts do not separate words.
 */
export function tokenize(text: string, lowercase = true): string[] {
  let t = text.normalize('NFC');
  if (lowercase) t = t.toLowerCase();
  return t.match(TOKEN) ?? [];
}

/** Whitespace-separated words (for length_match's `words` unit). */
export function countWords(text: string): number {
  return text.match(/\S+/gu)?.length ?? 0;
}

export type JsonParse = { ok: true; value: unknown } | { ok: false };

const FENCE = /^```[\w.+-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;

/**
 * Reads a value as JSON. Objects, arrays, finite numbers, booleans and null are JSON already.
 * A string is parsed with `JSON.parse` after trimming; a string that is one Markdown code
 * fence (```` ```json … ``` ````) is unwrapped first, since models often answer that way.
 * Anything else (undefined, NaN, text that is not JSON) is not JSON.
 */
export function parseJson(value: unknown): JsonParse {
  if (value === null || typeof value === 'boolean') return { ok: true, value };
  if (typeof value === 'number')
    return Number.isFinite(value) ? { ok: true, value } : { ok: false };
  if (typeof value === 'object') return { ok: true, value };
  if (typeof value !== 'string') return { ok: false };
  let text = value.trim();
  const fenced = FENCE.exec(text);
  if (fenced) text = fenced[1].trim();
  if (text === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * A field of a parsed JSON object: the top-level key `field` if present, else `field` read as a
 * dotted path (`a.b.0`). Undefined when absent.
 */
export function getField(value: unknown, field: string): unknown {
  if (isPlainObject(value) && Object.hasOwn(value, field)) return value[field];
  let current: unknown = value;
  for (const part of field.split('.')) {
    if (isPlainObject(current) && Object.hasOwn(current, part)) current = current[part];
    else if (Array.isArray(current) && /^\d+$/.test(part) && Number(part) < current.length)
      current = current[Number(part)];
    else return undefined;
  }
  return current;
}
