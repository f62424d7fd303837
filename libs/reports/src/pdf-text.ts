/**
 * The 14 standard PDF fonts only encode Windows-1252 (WinAnsi). Text outside it would come out as
 * garbage glyphs, so it is mapped to the nearest encodable text first: typographic look-alikes to
 * ASCII, accented letters outside the set to their base letter, everything else to "?".
 */

/** The non-Latin-1 characters WinAnsi encodes (its 0x80–0x9F range). */
const WIN_ANSI_EXTRA = new Set(
  Array.from('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ').map((c) => c.codePointAt(0) as number),
);

/** Look-alikes for common characters WinAnsi lacks. */
const REPLACEMENTS: Record<string, string> = {
  '→': '->',
  '←': '<-',
  '↔': '<->',
  '⇒': '=>',
  '⇐': '<=',
  '≤': '<=',
  '≥': '>=',
  '≠': '!=',
  '≈': '~',
  '−': '-',
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '―': '—',
  '′': "'",
  '″': '"',
  '⏎': '¶',
  '↵': '¶',
  '✓': 'v',
  '✔': 'v',
  '✗': 'x',
  '✘': 'x',
  '█': '#',
  '∞': 'inf',
  '√': 'sqrt',
  '\u2028': '\n',
  '\u2029': '\n',
};

/** Zero-width and invisible formatting characters (and variation selectors, tags), dropped. */
function isInvisible(code: number): boolean {
  return (
    (code >= 0x200b && code <= 0x200d) ||
    code === 0x2060 ||
    code === 0xfeff ||
    (code >= 0xfe00 && code <= 0xfe0f) ||
    (code >= 0xe0000 && code <= 0xe007f) ||
    (code >= 0xe0100 && code <= 0xe01ef)
  );
}

/** Whether `code` can be drawn with a standard font. */
export function isWinAnsi(code: number): boolean {
  return (
    code === 0x0a ||
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0xa0 && code <= 0xff) ||
    WIN_ANSI_EXTRA.has(code)
  );
}

function encodable(text: string): boolean {
  for (const c of text) if (!isWinAnsi(c.codePointAt(0) as number)) return false;
  return true;
}

/**
 * Text that a standard PDF font can draw. Keeps newlines (CR LF and CR become LF), turns tabs
 * into spaces, drops other control and invisible characters.
 */
export function toWinAnsi(text: string): string {
  let out = '';
  const normalized = text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, '    ');
  for (const char of normalized) {
    const code = char.codePointAt(0) as number;
    if (isWinAnsi(code)) {
      out += char;
    } else if (char in REPLACEMENTS) {
      out += REPLACEMENTS[char];
    } else if (code < 0x20 || (code >= 0x7f && code < 0xa0) || isInvisible(code)) {
      // control or invisible formatting character: nothing to draw
    } else if (/\p{M}/u.test(char)) {
      // a combining mark left over after NFC: the base letter already carries the meaning
    } else if (/\p{Zs}/u.test(char)) {
      out += ' ';
    } else {
      const base = char.normalize('NFKD').replace(/\p{M}/gu, '');
      out += base.length > 0 && encodable(base) ? base : '?';
    }
  }
  return out;
}
