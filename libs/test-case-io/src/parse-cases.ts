import { parseProductCsv } from './csv-reader';
import { parseJsonCases, parseJsonlCases } from './json-reader';
import { parsePromptfooCsv } from './promptfoo-csv-reader';
import { parsePromptfooYaml } from './promptfoo-yaml-reader';
import type { ByteSource } from './text-source';
import {
  DEFAULT_MAX_ROW_BYTES,
  DEFAULT_MAX_YAML_BYTES,
  type ImportFormat,
  type ParseOptions,
  type ParsedRow,
} from './types';

/**
 * Reads an import file row by row. Streams: only one row (or JSON item) is held at a time, except
 * for promptfoo YAML, which is parsed whole up to `maxYamlBytes`. Each ParsedRow carries its row
 * and starting line, the record when the row is valid, else its errors, plus warnings and (for
 * promptfoo files) suggested metrics. A problem with the file as a whole (no header, not JSON, a
 * row over `maxRowBytes`) throws ImportFileError, possibly after earlier rows were yielded.
 */
export function parseCases(
  source: ByteSource,
  format: ImportFormat,
  options: ParseOptions = {},
): AsyncGenerator<ParsedRow, void, undefined> {
  const maxRowBytes = options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES;
  switch (format) {
    case 'csv':
      return parseProductCsv(source, maxRowBytes);
    case 'json':
      return parseJsonCases(source, maxRowBytes);
    case 'jsonl':
      return parseJsonlCases(source, maxRowBytes);
    case 'promptfoo_yaml':
      return parsePromptfooYaml(
        source,
        maxRowBytes,
        options.maxYamlBytes ?? DEFAULT_MAX_YAML_BYTES,
      );
    case 'promptfoo_csv':
      return parsePromptfooCsv(source, maxRowBytes);
  }
}
