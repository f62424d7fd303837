import { isWinAnsi, toWinAnsi } from './pdf-text';

describe('toWinAnsi', () => {
  it('keeps Latin-1 and the WinAnsi extras', () => {
    const text = 'Café naïve — “quoted” ‘x’ … € • ™ Œ ž ¶ ±';
    expect(toWinAnsi(text)).toBe(text);
  });

  it('maps look-alikes, strips accents outside the set and replaces the rest', () => {
    expect(toWinAnsi('a → b ≤ c − d')).toBe('a -> b <= c - d');
    expect(toWinAnsi('ő Ł ﬁ Ａ')).toBe('o ? fi A');
    expect(toWinAnsi('日本 😀')).toBe('?? ?');
    expect(toWinAnsi('e\u0301')).toBe('é');
    expect(toWinAnsi('a\u200Bb\uFE0F\u2060c\u{E0067}\u{E0101}d')).toBe('abcd');
  });

  it('normalises line breaks and drops control characters', () => {
    expect(toWinAnsi('a\r\nb\rc\td\u0000e\u0007\u2028f')).toBe('a\nb\nc    de\nf');
    expect(toWinAnsi('\ud800x\udfff')).toBe('?x?');
  });

  it('only outputs encodable characters', () => {
    let all = '';
    for (let code = 0; code < 0x3000; code += 7) all += String.fromCodePoint(code);
    for (const c of toWinAnsi(all)) expect(isWinAnsi(c.codePointAt(0) as number)).toBe(true);
  });
});
