import { parse as parseCsvSync } from 'csv-parse/sync';
import type { ImportFormat } from './types';

export interface FormatHints {
  filename?: string;
  /** The request's or part's Content-Type (parameters such as charset are ignored). */
  contentType?: string;
  /** The first bytes of the file (a few KB are plenty). */
  head?: Buffer | string;
}

const BY_EXTENSION: Record<string, ImportFormat | 'csv?'> = {
  csv: 'csv?',
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  yaml: 'promptfoo_yaml',
  yml: 'promptfoo_yaml',
};

const BY_CONTENT_TYPE: Record<string, ImportFormat | 'csv?' | 'json?'> = {
  'text/csv': 'csv?',
  'application/csv': 'csv?',
  'application/json': 'json?',
  'application/x-ndjson': 'jsonl',
  'application/ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  'application/jsonlines': 'jsonl',
  'application/yaml': 'promptfoo_yaml',
  'application/x-yaml': 'promptfoo_yaml',
  'text/yaml': 'promptfoo_yaml',
  'text/x-yaml': 'promptfoo_yaml',
};

/** Keys of the export's top-level object: a first line opening with one is JSON, not JSONL. */
const EXPORT_KEYS = /^\s*\{\s*"(version|project_id|exported_at|count|test_cases)"/;

/** The header's columns decide between the product's CSV and promptfoo's. */
function csvFlavour(firstLine: string): ImportFormat {
  let header: string[] = [];
  try {
    const records = parseCsvSync(firstLine, {
      relax_quotes: true,
      relax_column_count: true,
    });
    header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  } catch {
    header = firstLine.split(',').map((h) => h.trim().toLowerCase());
  }
  const promptfoo =
    header.some((h) => h.startsWith('__expected')) || !header.some((h) => h.startsWith('input.'));
  return promptfoo ? 'promptfoo_csv' : 'csv';
}

/** `{` starts a JSON object or a JSONL line: a complete first line that is an object is JSONL. */
function jsonFlavour(text: string): ImportFormat {
  if (EXPORT_KEYS.test(text)) return 'json';
  const newline = text.indexOf('\n');
  if (newline === -1) return 'jsonl';
  try {
    const first: unknown = JSON.parse(text.slice(0, newline));
    return typeof first === 'object' && first !== null && !('test_cases' in first)
      ? 'jsonl'
      : 'json';
  } catch {
    return 'json';
  }
}

/**
 * The format of an uploaded file: by extension (.csv .json .jsonl .ndjson .yaml .yml), else by
 * content type, else by its first bytes. CSV is told apart from promptfoo CSV by its header (an
 * `input.` column and no `__expected` column); `{` from JSON Lines by whether the first line is a
 * whole object. null when nothing fits.
 */
export function detectFormat(hints: FormatHints): ImportFormat | null {
  const raw = hints.head ?? '';
  const text = (typeof raw === 'string' ? raw : raw.toString('utf8')).replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  const firstLine = trimmed.split(/\r?\n|\r/, 1)[0] ?? '';
  const refine = (guess: ImportFormat | 'csv?' | 'json?'): ImportFormat => {
    if (guess === 'csv?') return trimmed === '' ? 'csv' : csvFlavour(firstLine);
    if (guess === 'json?') return trimmed.startsWith('{') ? jsonFlavour(trimmed) : 'json';
    return guess;
  };

  const extension = /\.([a-z0-9]+)$/i.exec(hints.filename ?? '')?.[1]?.toLowerCase();
  if (extension && BY_EXTENSION[extension]) return refine(BY_EXTENSION[extension]);
  const type = hints.contentType?.split(';')[0].trim().toLowerCase();
  if (type && BY_CONTENT_TYPE[type]) return refine(BY_CONTENT_TYPE[type]);

  if (trimmed === '') return null;
  if (trimmed.startsWith('[')) return 'json';
  if (trimmed.startsWith('{')) return jsonFlavour(trimmed);
  // YAML: a list item, a document marker, a comment, or `key:` on a line without commas.
  if (/^(-(\s|$)|---|#)/.test(trimmed)) return 'promptfoo_yaml';
  if (/^[A-Za-z_][\w-]*:(\s|$)/.test(firstLine) && !firstLine.includes(',')) {
    return 'promptfoo_yaml';
  }
  return csvFlavour(firstLine);
}
