import { RowIssues, checkDescription, orderedRecord, toParsedRow } from './case-record';
import { readCsvRecords } from './csv-rows';
import { AssertionMapper, parseAssertionText } from './promptfoo-assertions';
import type { ByteSource } from './text-source';
import { CASE_LIMITS, ImportFileError, type ParsedRow } from './types';

type Column =
  | { kind: 'var'; header: string }
  | { kind: 'assert'; header: string }
  | { kind: 'description'; header: string }
  | { kind: 'metadata'; header: string; key: string; list: boolean }
  | { kind: 'ignored'; header: string };

function readHeader(cells: string[], line: number): Column[] {
  const seen = new Set<string>();
  const columns = cells.map((raw, i): Column => {
    const header = raw.trim();
    if (header !== '' && seen.has(header)) {
      throw new ImportFileError(`Column "${header}" appears twice in the header.`, line);
    }
    seen.add(header);
    if (header === '') return { kind: 'ignored', header: `(column ${i + 1}, no name)` };
    if (/^__expected\d*$/.test(header)) return { kind: 'assert', header };
    if (header === '__description') return { kind: 'description', header };
    const meta = /^__metadata:(.+?)(\[\])?$/.exec(header);
    if (meta) return { kind: 'metadata', header, key: meta[1], list: meta[2] !== undefined };
    if (header.startsWith('__')) return { kind: 'ignored', header };
    return { kind: 'var', header };
  });
  if (!columns.some((c) => c.kind === 'var')) {
    throw new ImportFileError(
      'The header has no variable column: in a promptfoo CSV every column not starting with __ is a prompt variable.',
      line,
    );
  }
  return columns;
}

function readRow(columns: Column[], cells: string[], issues: RowIssues) {
  if (cells.length !== columns.length) {
    issues.error(
      undefined,
      `The row has ${cells.length} cells; the header has ${columns.length} columns.`,
    );
    return undefined;
  }
  const inputs: Record<string, unknown> = {};
  const tags: string[] = [];
  let description: string | null = null;
  const mapper = new AssertionMapper(issues);
  columns.forEach((column, i) => {
    const cell = cells[i];
    switch (column.kind) {
      case 'var':
        // promptfoo passes CSV vars as text, so they are kept as text (not JSON-parsed).
        if (cell.startsWith('file://')) {
          issues.warn(
            `${column.header} not imported: values loaded from files (${cell.slice(0, 80)}) are not read.`,
          );
        } else inputs[column.header] = cell;
        break;
      case 'assert':
        if (cell.trim() !== '') mapper.add(parseAssertionText(cell, column.header));
        break;
      case 'description':
        if (cell !== '') {
          checkDescription(cell, issues, column.header);
          description = cell;
        }
        break;
      case 'metadata': {
        const values = column.list ? cell.split(',').map((v) => v.trim()) : [cell.trim()];
        for (const value of values.filter((v) => v !== '')) {
          const tag = `${column.key}:${value}`;
          if (tag.length > CASE_LIMITS.tagMaxLength) {
            issues.warn(
              `${column.header} not imported: the tag "${tag.slice(0, 20)}..." is longer than ${CASE_LIMITS.tagMaxLength} characters.`,
            );
          } else if (!tags.includes(tag)) tags.push(tag);
        }
        break;
      }
      case 'ignored':
        if (cell.trim() !== '')
          issues.warn(`${column.header} not imported: "${cell.slice(0, 40)}".`);
        break;
    }
  });
  if (tags.length > CASE_LIMITS.maxTags) {
    issues.warn(
      `__metadata gives ${tags.length} tags; the first ${CASE_LIMITS.maxTags} are imported.`,
    );
    tags.length = CASE_LIMITS.maxTags;
  }
  if (Object.keys(inputs).length === 0) {
    issues.error('inputs', 'missing inputs: every variable of the row is loaded from a file.');
  }
  return {
    record: orderedRecord({ description, inputs, expected_outputs: mapper.expected, tags }),
    metrics: mapper.metrics,
  };
}

/**
 * A promptfoo CSV: every column is a prompt variable (kept as text) except the special ones:
 * `__expected`, `__expected1..N` hold assertions (`[not-]type[(threshold)][:value]`, see
 * parseAssertionText and AssertionMapper), `__description` the description,
 * `__metadata:key` / `__metadata:key[]` tags `key:value`. Other `__` columns (`__prefix`,
 * `__suffix`, `__metric`, `__threshold`, `__config:*`...) change how promptfoo runs a test, which
 * a case cannot hold: a non-empty cell there is a warning on its row.
 */
export async function* parsePromptfooCsv(
  source: ByteSource,
  maxRowBytes: number,
): AsyncGenerator<ParsedRow, void, undefined> {
  let columns: Column[] | undefined;
  let row = 0;
  for await (const { cells, line } of readCsvRecords(source, maxRowBytes)) {
    if (columns === undefined) {
      columns = readHeader(cells, line);
      continue;
    }
    row++;
    const issues = new RowIssues();
    const read = readRow(columns, cells, issues);
    yield toParsedRow(row, line, issues, read?.record, read?.metrics);
  }
  if (columns === undefined) throw new ImportFileError('The file is empty: no header row.');
}
