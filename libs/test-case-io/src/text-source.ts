import { ImportFileError } from './types';

/** What a reader accepts: the file's bytes (or text) in chunks of any size. */
export type ByteSource = AsyncIterable<Buffer | Uint8Array | string>;

/**
 * The file as UTF-8 text, chunk by chunk: multi-byte characters split across chunks are joined,
 * a leading byte-order mark is dropped and invalid UTF-8 fails the file (rather than turning into
 * replacement characters that would then be imported as data).
 */
export async function* decodeText(source: ByteSource): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let atStart = true;
  const decode = (chunk?: Uint8Array): string => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new ImportFileError('The file is not valid UTF-8 text.');
    }
  };
  for await (const chunk of source) {
    let text = typeof chunk === 'string' ? chunk : decode(chunk);
    if (atStart && text.length > 0) {
      // TextDecoder drops the BOM of byte chunks; text chunks may still carry one.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      atStart = false;
    }
    if (text.length > 0) yield text;
  }
  const rest = decode();
  if (rest.length > 0) yield rest;
}

/** UTF-8 size of one UTF-16 code unit (a surrogate pair counts 2 + 2 = 4). */
export function utf8Units(code: number): number {
  if (code < 0x80) return 1;
  if (code < 0x800 || (code >= 0xd800 && code <= 0xdfff)) return 2;
  return 3;
}

/** Line breaks in a text: CRLF, LF and a lone CR each count once. */
export function countLineBreaks(text: string): number {
  if (!text.includes('\n') && !text.includes('\r')) return 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) count++;
    else if (c === 13) {
      count++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return count;
}
