import type { SignatureFieldSpec, SignatureFieldType } from './signature-fields';

export type ParseMethod = 'json_fenced' | 'json_object' | 'field_lines' | 'raw_text';

export interface ParsedOutput {
  /** True when every required output field was found with a value of its type. */
  ok: boolean;
  value: Record<string, unknown> | null;
  method: ParseMethod | null;
  errors: string[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Objects inside ``` fences (```json or bare), in order. */
function fencedObjects(text: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  for (const match of text.matchAll(/```[a-zA-Z0-9_-]*\s*\n?([\s\S]*?)```/g)) {
    const value = tryJson(match[1].trim());
    if (isPlainObject(value)) found.push(value);
  }
  return found;
}

/** The first balanced `{...}` that parses as a JSON object, skipping braces inside strings. */
export function firstJsonObject(text: string): Record<string, unknown> | undefined {
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) {
        const value = tryJson(text.slice(start, i + 1));
        if (isPlainObject(value)) return value;
        break;
      }
    }
  }
  return undefined;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `field: value` lines (also `**field**:`, `- field =`), one value per line, any case. */
function fieldLines(text: string, fields: SignatureFieldSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const name = escapeRegex(field.name);
    const re = new RegExp(`^\\s*(?:[-*]\\s+)?\\**${name}\\**\\s*[:=]\\s*(.*)$`, 'im');
    const match = re.exec(text);
    if (match)
      out[field.name] = match[1]
        .trim()
        .replace(/^\*+|\*+$/g, '')
        .trim();
  }
  return out;
}

/** Brings a value to the field's type where the text form is unambiguous ("5" → 5). */
function coerce(value: unknown, type: SignatureFieldType): { ok: boolean; value: unknown } {
  switch (type) {
    case 'string':
      if (typeof value === 'string') return { ok: true, value };
      if (typeof value === 'number' || typeof value === 'boolean')
        return { ok: true, value: String(value) };
      return { ok: false, value };
    case 'integer':
    case 'number': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value.trim())
            : NaN;
      const ok = Number.isFinite(n) && (type === 'number' || Number.isInteger(n));
      return { ok, value: ok ? n : value };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const t = typeof value === 'string' ? value.trim().toLowerCase() : '';
      if (['true', 'yes'].includes(t)) return { ok: true, value: true };
      if (['false', 'no'].includes(t)) return { ok: true, value: false };
      return { ok: false, value };
    }
    case 'array': {
      if (Array.isArray(value)) return { ok: true, value };
      if (typeof value === 'string') {
        const parsed = tryJson(value);
        if (Array.isArray(parsed)) return { ok: true, value: parsed };
        return {
          ok: true,
          value: value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        };
      }
      return { ok: false, value };
    }
    case 'object': {
      if (isPlainObject(value)) return { ok: true, value };
      const parsed = typeof value === 'string' ? tryJson(value) : undefined;
      return isPlainObject(parsed) ? { ok: true, value: parsed } : { ok: false, value };
    }
  }
}

function check(
  candidate: Record<string, unknown>,
  fields: SignatureFieldSpec[],
  method: ParseMethod,
): ParsedOutput {
  const value: Record<string, unknown> = { ...candidate };
  const errors: string[] = [];
  for (const field of fields) {
    if (!(field.name in candidate) || candidate[field.name] === null) {
      if (field.required !== false) errors.push(`${field.name} is missing`);
      continue;
    }
    const coerced = coerce(candidate[field.name], field.type);
    value[field.name] = coerced.value;
    if (!coerced.ok) errors.push(`${field.name} is not of type ${field.type}`);
  }
  return { ok: errors.length === 0, value, method, errors };
}

/**
 * Reads the output fields of a signature from a model's answer. In order: JSON in ``` fences, the
 * first JSON object in the text, then `field: value` lines. A signature with a single string
 * output takes the whole answer when nothing else matches. The first candidate that carries every
 * required field wins; otherwise the best partial candidate is returned with `ok: false`.
 */
export function parseStructuredOutput(text: string, fields: SignatureFieldSpec[]): ParsedOutput {
  const candidates: [Record<string, unknown>, ParseMethod][] = [
    ...fencedObjects(text).map((o): [Record<string, unknown>, ParseMethod] => [o, 'json_fenced']),
  ];
  const object = firstJsonObject(text);
  if (object) candidates.push([object, 'json_object']);
  const lines = fieldLines(text, fields);
  if (Object.keys(lines).length) candidates.push([lines, 'field_lines']);
  if (fields.length === 1 && fields[0].type === 'string' && text.trim()) {
    candidates.push([{ [fields[0].name]: text.trim() }, 'raw_text']);
  }
  let best: ParsedOutput | undefined;
  for (const [candidate, method] of candidates) {
    const result = check(candidate, fields, method);
    if (result.ok) return result;
    if (!best || result.errors.length < best.errors.length) best = result;
  }
  return (
    best ?? {
      ok: false,
      value: null,
      method: null,
      errors: ['no JSON object or field lines found'],
    }
  );
}
