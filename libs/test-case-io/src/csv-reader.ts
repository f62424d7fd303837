import {
  RowIssues,
  checkDescription,
  checkName,
  checkTags,
  orderedRecord,
  toParsedRow,
} from './case-record';
import { decodeCell, decodeFlag, decodeTags } from './csv-cells';
import { readCsvRecords } from './csv-rows';
import type { ByteSource } from './text-source';
import { type CaseRecord, ImportFileError, type ParsedRow } from './types';

type FixedKind = 'name' | 'description' | 'tags' | 'is_golden' | 'is_generated';

type Column =
  | { kind: FixedKind; header: string }
  | { kind: 'input' | 'expected'; header: string; field: string }
  | { kind: 'ignored'; header: string };

const FIXED: ReadonlySet<string> = new Set<FixedKind>([
  'name',
  'description',
  'tags',
  'is_golden',
  'is_generated',
]);
const isFixed = (name: string): name is FixedKind => FIXED.has(name);

/** What a header cell names: fixed names and the prefixes in any case, field names as written. */
function columnOf(header: string, position: number, line: number): Column {
  const lower = header.toLowerCase();
  if (isFixed(lower)) return { kind: lower, header };
  for (const kind of ['input', 'expected'] as const) {
    if (lower.startsWith(`${kind}.`)) {
      const field = header.slice(kind.length + 1);
      if (field === '') {
        throw new ImportFileError(`Column ${position} ("${header}") names no field.`, line);
      }
      return { kind, header, field };
    }
  }
  return { kind: 'ignored', header: header === '' ? `(column ${position}, no name)` : header };
}

/** The columns a header names; file errors for what makes the whole file unreadable. */
function readHeader(cells: string[], line: number): Column[] {
  const seen = new Set<string>();
  const columns = cells.map((raw, i): Column => {
    const column = columnOf(raw.trim(), i + 1, line);
    const key =
      column.kind === 'input' || column.kind === 'expected'
        ? `${column.kind}.${column.field}`
        : column.kind === 'ignored'
          ? `?${column.header}`
          : column.kind;
    if (seen.has(key)) {
      throw new ImportFileError(`Column "${column.header}" appears twice in the header.`, line);
    }
    seen.add(key);
    return column;
  });
  if (!columns.some((c) => c.kind === 'input')) {
    throw new ImportFileError(
      'The header has no input.<field> column. The CSV format has columns name, description, input.<field>..., expected.<field>..., tags, is_golden (a promptfoo CSV is imported with format promptfoo_csv).',
      line,
    );
  }
  return columns;
}

/** One data row of the product's CSV as a case. */
function readRow(columns: Column[], cells: string[], issues: RowIssues): CaseRecord | undefined {
  if (cells.length !== columns.length) {
    issues.error(
      undefined,
      `The row has ${cells.length} cells; the header has ${columns.length} columns.`,
    );
    return undefined;
  }
  let name: string | undefined;
  let description: string | null = null;
  const inputs: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  let tags: string[] = [];
  let isGolden = false;
  let isGenerated = false;
  columns.forEach((column, i) => {
    const cell = cells[i];
    switch (column.kind) {
      case 'name':
        name = checkName(cell, issues, column.header);
        break;
      case 'description':
        if (cell !== '') {
          checkDescription(cell, issues, column.header);
          description = cell;
        }
        break;
      case 'input':
      case 'expected': {
        const decoded = decodeCell(cell);
        if (decoded === undefined) break;
        if (!decoded.ok)
          issues.error(column.header, `bad JSON in ${column.header}: ${decoded.error}`);
        else (column.kind === 'input' ? inputs : expected)[column.field] = decoded.value;
        break;
      }
      case 'tags': {
        const decoded = decodeTags(cell);
        if (decoded.ok) {
          tags = decoded.tags;
          checkTags(tags, issues, column.header);
        } else issues.error(column.header, decoded.error);
        break;
      }
      case 'is_golden':
      case 'is_generated': {
        const flag = decodeFlag(cell);
        if (flag === undefined) {
          issues.error(
            column.header,
            `${column.header} must be yes/no, true/false or 1/0; found "${cell.slice(0, 40)}".`,
          );
        } else if (column.kind === 'is_golden') isGolden = flag;
        else isGenerated = flag;
        break;
      }
      case 'ignored':
        break;
    }
  });
  if (
    Object.keys(inputs).length === 0 &&
    !issues.errors.some((e) => e.field?.startsWith('input.'))
  ) {
    issues.error('inputs', 'missing inputs: every input.* cell of the row is empty.');
  }
  return orderedRecord({
    name,
    description,
    inputs,
    expected_outputs: expected,
    tags,
    is_golden: isGolden,
    is_generated: isGenerated,
  });
}

/**
 * The product's CSV: a header of `name, description, input.<field>..., expected.<field>...,
 * tags, is_golden, is_generated` in any order (only one `input.` column is required), then one
 * case per row. Columns it does not know are ignored, with a warning on the first row.
 */
export async function* parseProductCsv(
  source: ByteSource,
  maxRowBytes: number,
): AsyncGenerator<ParsedRow, void, undefined> {
  let columns: Column[] | undefined;
  let fileWarnings: string[] = [];
  let row = 0;
  for await (const { cells, line } of readCsvRecords(source, maxRowBytes)) {
    if (columns === undefined) {
      columns = readHeader(cells, line);
      const ignored = columns.filter((c) => c.kind === 'ignored').map((c) => c.header);
      if (ignored.length > 0) {
        fileWarnings = [
          `Column${ignored.length > 1 ? 's' : ''} not imported (not part of the format): ${ignored.join(', ')}.`,
        ];
      }
      continue;
    }
    row++;
    const issues = new RowIssues();
    fileWarnings.forEach((w) => issues.warn(w));
    fileWarnings = [];
    const record = readRow(columns, cells, issues);
    yield toParsedRow(row, line, issues, record);
  }
  if (columns === undefined) throw new ImportFileError('The file is empty: no header row.');
}
