import { stringify } from 'csv-stringify/sync';
import { orderedRecord } from './case-record';
import { encodeCell, encodeTags } from './csv-cells';
import { type CaseRecord, EXPORT_VERSION } from './types';

/**
 * Writers of the export formats, piece by piece so that the API can stream a response. Each
 * writes the fields in one fixed order (name, description, inputs, expected_outputs, tags,
 * is_golden, is_generated), so exporting the same cases twice gives the same bytes, and each
 * reads back through parseCases to the same records. One exception: an empty description is
 * written as an empty CSV cell, which reads back as null.
 */

const INPUT = 'input.';
const EXPECTED = 'expected.';

/** The CSV columns: name, description, input.<key>..., expected.<key>..., tags, is_golden, is_generated. */
export function csvColumns(inputKeys: string[], expectedKeys: string[]): string[] {
  return [
    'name',
    'description',
    ...[...new Set(inputKeys)].map((k) => INPUT + k),
    ...[...new Set(expectedKeys)].map((k) => EXPECTED + k),
    'tags',
    'is_golden',
    'is_generated',
  ];
}

const csvLine = (cells: string[]) => stringify([cells], { eof: true, record_delimiter: 'unix' });

/** The header line, with its newline. */
export function csvHeaderLine(columns: string[]): string {
  return csvLine(columns);
}

const has = (object: Record<string, unknown>, key: string) =>
  Object.prototype.hasOwnProperty.call(object, key);

/**
 * One case as a CSV line (with its newline). Values are encoded as encodeCell says (strings as
 * text unless that would read back as something else, other values as JSON, a missing key as
 * an empty cell); tags as a comma list, or as a JSON array when a tag holds a comma.
 */
export function csvRowLine(columns: string[], record: CaseRecord): string {
  const cells = columns.map((column) => {
    if (column.startsWith(INPUT)) {
      const key = column.slice(INPUT.length);
      return has(record.inputs, key) ? encodeCell(record.inputs[key]) : '';
    }
    if (column.startsWith(EXPECTED)) {
      const key = column.slice(EXPECTED.length);
      return has(record.expected_outputs, key) ? encodeCell(record.expected_outputs[key]) : '';
    }
    switch (column) {
      case 'name':
        return record.name ?? '';
      case 'description':
        return record.description ?? '';
      case 'tags':
        return encodeTags(record.tags);
      case 'is_golden':
        return String(record.is_golden);
      case 'is_generated':
        return String(record.is_generated);
      default:
        return '';
    }
  });
  return csvLine(cells);
}

export interface JsonExportMeta {
  project_id: number | string;
  /** ISO 8601 time of the export. */
  exported_at: string | Date;
  count: number;
}

/** The JSON export's opening: `{"version":1,"project_id":..,"exported_at":..,"count":..,"test_cases":[`. */
export function jsonExportHead(meta: JsonExportMeta): string {
  const exportedAt =
    meta.exported_at instanceof Date ? meta.exported_at.toISOString() : meta.exported_at;
  const head = JSON.stringify({
    version: EXPORT_VERSION,
    project_id: meta.project_id,
    exported_at: exportedAt,
    count: meta.count,
  });
  return `${head.slice(0, -1)},"test_cases":[`;
}

/** One case of the JSON export (index 0-based), on its own line. */
export function jsonExportItem(record: CaseRecord, index: number): string {
  return `${index === 0 ? '\n' : ',\n'}${JSON.stringify(orderedRecord(record))}`;
}

/** The JSON export's closing. */
export function jsonExportTail(): string {
  return '\n]}\n';
}

/** One case as a JSON Lines line (with its newline). */
export function jsonlLine(record: CaseRecord): string {
  return `${JSON.stringify(orderedRecord(record))}\n`;
}
