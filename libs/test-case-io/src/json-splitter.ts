import { utf8Units } from './text-source';
import { EXPORT_VERSION, ImportFileError } from './types';

/** One element of the test case array: its JSON text, not yet parsed. */
export interface JsonItem {
  /** 1-based position in the array. */
  index: number;
  /** 1-based line of the file where the element starts. */
  line: number;
  text: string;
}

type Mode =
  | 'root' // before the root value
  | 'key-or-close' // after `{`
  | 'key-start' // after `,` in the root object
  | 'key' // inside a root key
  | 'colon'
  | 'value' // before a root value
  | 'skip' // inside a root value other than test_cases
  | 'after-value' // after a root value: `,` or `}`
  | 'item-or-close' // after `[`
  | 'item-start' // after `,` in the array
  | 'item' // inside an element
  | 'after-item' // after an element: `,` or `]`
  | 'done';

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const CLOSER: Record<string, string> = { '{': '}', '[': ']' };
const KEY_MAX = 1_000;
const VERSION_MAX = 100;

/**
 * Splits a JSON import into the elements of its test case array, chunk by chunk, without holding
 * more than one element: either a root array, or a root object whose `test_cases` key holds it
 * (the export's shape; other keys are skipped unread, except that `version` must be 1).
 *
 * Written here rather than taken from a streaming JSON library because the import reports every
 * row with the line it starts on and keeps going after a malformed element: token-level parsers
 * give neither an element's text nor its line, and stop at the first syntax error. This scanner
 * only tracks strings, escapes and bracket nesting to find where each element starts and ends;
 * JSON.parse then reads each element, so a malformed one becomes that row's error.
 */
export class JsonItemSplitter {
  private mode: Mode = 'root';
  private line = 1;
  private afterCr = false;
  private sawTestCases = false;
  private rootIsArray = false;
  // The value being scanned (an element, or a skipped root value).
  private stack: string[] = [];
  private inString = false;
  private escaped = false;
  private bareScalar = false;
  // Capture of the current element.
  private parts: string[] = [];
  private itemBytes = 0;
  private itemLine = 0;
  private index = 0;
  // Root key being read, and the `version` value's text.
  private key = '';
  private currentKey = '';
  private version = '';
  private pending?: Error;

  constructor(private readonly maxItemBytes: number) {}

  /**
   * The elements completed by this chunk. When the chunk also holds a fault, the elements before
   * it come out first and the fault is thrown by the next call.
   */
  push(chunk: string): JsonItem[] {
    this.throwPending();
    const items: JsonItem[] = [];
    try {
      this.scanChunk(chunk, items);
    } catch (error) {
      if (items.length === 0) throw error;
      this.pending = error instanceof Error ? error : new Error(String(error));
    }
    return items;
  }

  private throwPending(): void {
    if (this.pending !== undefined) throw this.pending;
  }

  private scanChunk(chunk: string, items: JsonItem[]): void {
    let captureFrom = this.mode === 'item' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      switch (this.mode) {
        case 'item': {
          this.itemBytes += utf8Units(chunk.charCodeAt(i));
          if (this.itemBytes > this.maxItemBytes) {
            throw new ImportFileError(
              `Test case ${this.index} (starting at line ${this.itemLine}) is larger than the limit of ${this.maxItemBytes} bytes.`,
              this.itemLine,
            );
          }
          const end = this.scan(ch);
          if (end !== 'open') {
            // A bare scalar ends before the character that ends it, which is read again below.
            const stop = end === 'after' ? i + 1 : i;
            this.parts.push(chunk.slice(captureFrom, stop));
            items.push({ index: this.index, line: this.itemLine, text: this.parts.join('') });
            this.parts = [];
            captureFrom = -1;
            this.mode = 'after-item';
            if (end === 'before') {
              this.itemBytes = 0;
              i--;
              continue;
            }
          }
          break;
        }
        case 'skip': {
          const end = this.scan(ch);
          if (
            this.currentKey === 'version' &&
            end !== 'before' &&
            this.version.length < VERSION_MAX
          ) {
            this.version += ch;
          }
          if (end !== 'open') {
            this.endRootValue();
            this.mode = 'after-value';
            if (end === 'before') {
              i--;
              continue;
            }
          }
          break;
        }
        case 'key':
          if (this.escaped) this.escaped = false;
          else if (ch === '\\') this.escaped = true;
          else if (ch === '"') {
            this.currentKey = this.readKey();
            this.mode = 'colon';
            break;
          }
          if (this.key.length < KEY_MAX) this.key += ch;
          break;
        default:
          if (WHITESPACE.has(ch)) break;
          if (this.structural(ch) === 'item') captureFrom = i;
      }
      this.countLine(ch);
    }
    if (this.mode === 'item' && captureFrom >= 0) this.parts.push(chunk.slice(captureFrom));
  }

  /** At the end of the file: fails unless the JSON was complete. */
  end(): void {
    this.throwPending();
    if (this.mode === 'done') return;
    if (this.mode === 'item') {
      throw new ImportFileError(
        `The file ends inside test case ${this.index}, which starts at line ${this.itemLine}.`,
        this.itemLine,
      );
    }
    if (this.mode === 'root') throw new ImportFileError('The file is empty.');
    throw new ImportFileError('The file ends before its JSON is complete.', this.line);
  }

  private countLine(ch: string): void {
    if (ch === '\n') {
      if (!this.afterCr) this.line++;
      this.afterCr = false;
    } else if (ch === '\r') {
      this.line++;
      this.afterCr = true;
    } else this.afterCr = false;
  }

  private fail(message: string): never {
    throw new ImportFileError(`${message} (line ${this.line}).`, this.line);
  }

  /** A non-whitespace character outside any element or skipped value. */
  private structural(ch: string): 'item' | undefined {
    switch (this.mode) {
      case 'root':
        if (ch === '[') {
          this.rootIsArray = true;
          this.mode = 'item-or-close';
        } else if (ch === '{') this.mode = 'key-or-close';
        else {
          this.fail(
            'A JSON import is an array of test cases or an object with a test_cases array; the file starts with something else',
          );
        }
        return undefined;
      case 'key-or-close':
      case 'key-start':
        if (ch === '"') {
          this.key = '';
          this.escaped = false;
          this.mode = 'key';
        } else if (ch === '}' && this.mode === 'key-or-close') this.closeRoot();
        else this.fail(`Expected a key in the top-level object, found "${ch}"`);
        return undefined;
      case 'colon':
        if (ch !== ':') this.fail(`Expected ":" after key "${this.currentKey}", found "${ch}"`);
        this.mode = 'value';
        return undefined;
      case 'value':
        if (this.currentKey === 'test_cases') {
          if (this.sawTestCases) this.fail('test_cases appears twice');
          if (ch !== '[') this.fail('test_cases must be an array');
          this.sawTestCases = true;
          this.mode = 'item-or-close';
          return undefined;
        }
        this.version = '';
        this.startValue(ch);
        this.mode = 'skip';
        if (this.currentKey === 'version') this.version = ch;
        if (this.bareScalarDone(ch)) this.fail(`Expected a value for "${this.currentKey}"`);
        return undefined;
      case 'after-value':
        if (ch === ',') this.mode = 'key-start';
        else if (ch === '}') this.closeRoot();
        else
          this.fail(`Expected "," or "}" after the value of "${this.currentKey}", found "${ch}"`);
        return undefined;
      case 'item-or-close':
      case 'item-start':
        if (ch === ']' && this.mode === 'item-or-close') {
          this.closeArray();
          return undefined;
        }
        if (ch === ',' || ch === ']') this.fail(`Expected a test case, found "${ch}"`);
        this.index++;
        this.itemLine = this.line;
        this.itemBytes = utf8Units(ch.charCodeAt(0));
        this.startValue(ch);
        this.mode = 'item';
        return 'item';
      case 'after-item':
        if (ch === ',') this.mode = 'item-start';
        else if (ch === ']') this.closeArray();
        else this.fail(`Expected "," or "]" after test case ${this.index}, found "${ch}"`);
        return undefined;
      case 'done':
        return this.fail('Unexpected content after the end of the JSON');
      case 'key':
      case 'skip':
      case 'item':
        return undefined;
    }
  }

  private startValue(ch: string): void {
    this.stack = [];
    this.inString = ch === '"';
    this.escaped = false;
    this.bareScalar = false;
    if (CLOSER[ch]) this.stack.push(CLOSER[ch]);
    else if (!this.inString) this.bareScalar = true;
  }

  private bareScalarDone(ch: string): boolean {
    return this.bareScalar && (ch === ',' || ch === '}' || ch === ']');
  }

  /**
   * One character inside a value (the first was taken by startValue). 'open': the value goes on;
   * 'after': it ends with this character; 'before': it ended just before it (a bare scalar).
   */
  private scan(ch: string): 'open' | 'after' | 'before' {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (ch === '\\') this.escaped = true;
      else if (ch === '"') {
        this.inString = false;
        if (this.stack.length === 0) return 'after';
      }
      return 'open';
    }
    if (this.bareScalar) {
      return WHITESPACE.has(ch) || ch === ',' || ch === ']' || ch === '}' ? 'before' : 'open';
    }
    if (ch === '"') this.inString = true;
    else if (ch === '{' || ch === '[') this.stack.push(CLOSER[ch]);
    else if (ch === '}' || ch === ']') {
      const expected = this.stack.pop();
      if (ch !== expected) {
        this.fail(
          this.mode === 'item'
            ? `Mismatched "${ch}" in test case ${this.index} (which starts at line ${this.itemLine})`
            : `Mismatched "${ch}" in the value of "${this.currentKey}"`,
        );
      }
      if (this.stack.length === 0) return 'after';
    }
    return 'open';
  }

  private readKey(): string {
    try {
      return JSON.parse(`"${this.key}"`) as string;
    } catch {
      this.fail('Malformed key in the top-level object');
    }
  }

  private endRootValue(): void {
    if (this.currentKey !== 'version') return;
    let version: unknown;
    try {
      version = JSON.parse(this.version);
    } catch {
      version = this.version;
    }
    if (version !== EXPORT_VERSION) {
      this.fail(
        `Unsupported export version ${JSON.stringify(version)}; this reader reads version ${EXPORT_VERSION}`,
      );
    }
  }

  private closeArray(): void {
    this.mode = this.rootIsArray ? 'done' : 'after-value';
  }

  private closeRoot(): void {
    if (!this.sawTestCases) this.fail('The top-level object has no test_cases array');
    this.mode = 'done';
  }
}
