import { CsvError, parse } from 'csv-parse';
import { type ByteSource, countLineBreaks, decodeText } from './text-source';
import { ImportFileError } from './types';

/** One CSV record and the file line it starts on. */
export interface CsvRecord {
  cells: string[];
  line: number;
}

const isBlank = (cells: string[]) => cells.every((c) => c.trim() === '');

/**
 * The records of a CSV file, parsed by csv-parse as the chunks arrive, each with the line it
 * starts on. Blank records (every cell empty or whitespace) are skipped. Rows of any width come
 * through: the caller checks the count against its header.
 *
 * Records are taken from `on_record` as they are parsed instead of being read from the stream, so
 * that when the parser fails, the rows before the failure still come out first and the failure is
 * located at the row it is in. Lines are counted here rather than taken from csv-parse's
 * `info.lines`, which is the line a record ends on and counts a CRLF inside a quoted cell twice: a
 * record spans the line breaks inside its (quoted) cells plus its own delimiter.
 */
export async function* readCsvRecords(
  source: ByteSource,
  maxRowBytes: number,
): AsyncGenerator<CsvRecord, void, undefined> {
  const parsed: string[][] = [];
  const parser = parse({
    bom: true,
    relax_column_count: true,
    // A quote inside an unquoted cell (`He said "hi"`) is kept as text instead of failing the file.
    relax_quotes: true,
    max_record_size: maxRowBytes,
    on_record: (cells: string[]) => {
      parsed.push(cells);
      return null;
    },
  });
  // Failures arrive through the write and end callbacks below.
  parser.on('error', () => undefined);
  parser.resume();
  let nextLine = 1;
  // The records parsed so far, in order; a row over the limit ends the file.
  function* take(): Generator<CsvRecord, void, undefined> {
    for (const cells of parsed.splice(0)) {
      const line = nextLine;
      nextLine += 1 + cells.reduce((n, cell) => n + countLineBreaks(cell), 0);
      // A UTF-16 unit is at most 3 UTF-8 bytes: most rows are cleared without measuring bytes.
      const units = cells.reduce((n, cell) => n + cell.length, 0);
      if (
        units * 3 > maxRowBytes &&
        cells.reduce((n, cell) => n + Buffer.byteLength(cell), 0) > maxRowBytes
      ) {
        throw tooLarge(line, maxRowBytes);
      }
      if (!isBlank(cells)) yield { cells, line };
    }
  }
  try {
    for await (const text of decodeText(source)) {
      const failure = await new Promise<Error | null | undefined>((resolve) =>
        parser.write(text, resolve),
      );
      yield* take();
      if (failure) throw csvFileError(failure, nextLine, maxRowBytes);
    }
    const failure = await new Promise<Error | null | undefined>((resolve) => parser.end(resolve));
    yield* take();
    if (failure) throw csvFileError(failure, nextLine, maxRowBytes);
  } finally {
    parser.destroy();
  }
}

function tooLarge(line: number, maxRowBytes: number): ImportFileError {
  return new ImportFileError(
    `The row starting at line ${line} is larger than the limit of ${maxRowBytes} bytes.`,
    line,
  );
}

/** csv-parse's errors as file errors, located at the start of the row being read. */
function csvFileError(error: unknown, line: number, maxRowBytes: number): unknown {
  if (!(error instanceof CsvError)) return error;
  switch (error.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return tooLarge(line, maxRowBytes);
    case 'CSV_QUOTE_NOT_CLOSED':
      return new ImportFileError(
        `The row starting at line ${line} opens a quoted cell that is never closed.`,
        line,
      );
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new ImportFileError(
        `The row starting at line ${line} has text right after a quoted cell's closing quote (write a quote inside a quoted cell as "").`,
        line,
      );
    default:
      return new ImportFileError(`The file is not valid CSV: ${error.message}`, line);
  }
}
