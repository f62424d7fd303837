import { RowIssues, recordFromItem, toParsedRow } from './case-record';
import { JsonItemSplitter } from './json-splitter';
import { type ByteSource, decodeText, utf8Units } from './text-source';
import { ImportFileError, type ParsedRow } from './types';

/** One item's text as a row: JSON.parse, then the case fields. */
function itemRow(row: number, line: number, text: string): ParsedRow {
  const issues = new RowIssues();
  let item: unknown;
  try {
    item = JSON.parse(text);
  } catch (e) {
    issues.error(undefined, `malformed JSON: ${(e as Error).message}`);
    return toParsedRow(row, line, issues, undefined);
  }
  return toParsedRow(row, line, issues, recordFromItem(item, issues));
}

/**
 * A JSON import: an array of cases, or the export's `{version, test_cases: [...]}` (other
 * top-level keys are ignored). Streamed: one element is held at a time.
 */
export async function* parseJsonCases(
  source: ByteSource,
  maxRowBytes: number,
): AsyncGenerator<ParsedRow, void, undefined> {
  const splitter = new JsonItemSplitter(maxRowBytes);
  for await (const chunk of decodeText(source)) {
    for (const item of splitter.push(chunk)) yield itemRow(item.index, item.line, item.text);
  }
  splitter.end();
}

/** JSON Lines: one case object per line; blank lines are skipped. */
export async function* parseJsonlCases(
  source: ByteSource,
  maxRowBytes: number,
): AsyncGenerator<ParsedRow, void, undefined> {
  let pending: string[] = [];
  let pendingBytes = 0;
  let line = 1;
  let row = 0;
  const finish = (): ParsedRow | undefined => {
    const text = pending.join('');
    pending = [];
    pendingBytes = 0;
    const at = line++;
    if (text.trim() === '') return undefined;
    return itemRow(++row, at, text);
  };
  const tooLarge = () =>
    new ImportFileError(`Line ${line} is larger than the limit of ${maxRowBytes} bytes.`, line);
  for await (const chunk of decodeText(source)) {
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', from)) {
      const piece = chunk.slice(from, nl);
      pendingBytes += Buffer.byteLength(piece);
      if (pendingBytes > maxRowBytes) throw tooLarge();
      pending.push(piece);
      from = nl + 1;
      const parsed = finish();
      if (parsed) yield parsed;
    }
    const rest = chunk.slice(from);
    if (rest !== '') {
      for (let i = 0; i < rest.length; i++) pendingBytes += utf8Units(rest.charCodeAt(i));
      if (pendingBytes > maxRowBytes) throw tooLarge();
      pending.push(rest);
    }
  }
  const last = finish();
  if (last) yield last;
}
