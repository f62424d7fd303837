/**
 * How values sit in the cells of the product's CSV (`input.*`, `expected.*`, `tags`,
 * `is_golden`). The reader and the writer share these rules, so that every value written reads
 * back as itself.
 */

export type CellValue = { ok: true; value: unknown } | { ok: false; error: string } | undefined;

const opensJson = (text: string) => /^\s*[[{]/.test(text);

const JSON_WS = '[ \\t\\n\\r]*';
const JSON_LITERAL = new RegExp(`^${JSON_WS}(?:true|false|null)${JSON_WS}$`);
const JSON_NUMBER = new RegExp(
  `^${JSON_WS}-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?${JSON_WS}$`,
);

/**
 * JSON.parse of a cell, skipping the call when the text cannot be JSON (plain prose, the usual
 * case): a failed JSON.parse costs an exception, which made up most of the time of a large import.
 */
function parseJson(text: string): { value: unknown } | undefined {
  const first = /[^ \t\n\r]/.exec(text)?.[0];
  if (first === undefined) return undefined;
  if (first === 't' || first === 'f' || first === 'n') {
    return JSON_LITERAL.test(text) ? { value: JSON.parse(text) as unknown } : undefined;
  }
  if (first === '-' || (first >= '0' && first <= '9')) {
    return JSON_NUMBER.test(text) ? { value: JSON.parse(text) as unknown } : undefined;
  }
  if (first !== '"' && first !== '{' && first !== '[') return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * A value cell: empty → absent (undefined); JSON when it parses (`42`, `true`, `{"a":1}`,
 * `"quoted"`); else the text itself. Text that opens like an object or array but is not JSON is
 * an error rather than a string, since it is almost always a broken value.
 */
export function decodeCell(text: string): CellValue {
  if (text === '') return undefined;
  const parsed = parseJson(text);
  if (parsed) return { ok: true, value: parsed.value };
  if (opensJson(text)) {
    try {
      JSON.parse(text);
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }
  return { ok: true, value: text };
}

/**
 * The cell text of a value. A string is written as is unless reading it back would give
 * something else (it would parse as JSON, is empty, or opens like JSON): then it is written
 * JSON-encoded. Other values are JSON; undefined is the empty cell.
 */
export function encodeCell(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') return JSON.stringify(value);
  return value === '' || opensJson(value) || parseJson(value) ? JSON.stringify(value) : value;
}

/**
 * Tags: comma-separated (each trimmed, empty ones dropped), or a JSON array of strings when the
 * cell starts with `[` (the writer uses that form for tags a comma list cannot hold).
 */
export function decodeTags(
  text: string,
): { ok: true; tags: string[] } | { ok: false; error: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      return { ok: false, error: `bad JSON in tags: ${(e as Error).message}` };
    }
    if (!Array.isArray(parsed) || !parsed.every((t) => typeof t === 'string')) {
      return { ok: false, error: 'tags in JSON form must be an array of strings.' };
    }
    return { ok: true, tags: parsed };
  }
  return {
    ok: true,
    tags: trimmed
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== ''),
  };
}

/** Tags as a comma list when that reads back the same, else as a JSON array. */
export function encodeTags(tags: string[]): string {
  if (tags.length === 0) return '';
  const plain =
    !tags[0].startsWith('[') && tags.every((t) => t !== '' && t === t.trim() && !t.includes(','));
  return plain ? tags.join(',') : JSON.stringify(tags);
}

const TRUE = new Set(['yes', 'true', '1']);
const FALSE = new Set(['no', 'false', '0', '']);

/** yes/true/1 → true; no/false/0/empty → false (any case); anything else → undefined. */
export function decodeFlag(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  return undefined;
}
